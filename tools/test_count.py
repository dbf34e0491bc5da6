"""Check that Odoo's own test runner selects every test pytest collects.

Odoo's runner (``odoo-bin --test-enable --test-tags /account_dunning``, what OCA CI and
runboat use) only runs test methods of ``odoo.tests`` cases, defined in the class itself
and registered in ``tests/__init__.py``; pytest-odoo collects any ``test_*`` function it
finds. A test only one of them sees is a test that silently never runs somewhere, so this
script lists what each would run and fails on any difference.

Usage: python3 tools/test_count.py ADDONS_PATH PYTEST_NODE_IDS_FILE
(the second file is the output of ``pytest --collect-only -q``).
"""

import sys


def odoo_selected(addons_path):
    """The test ids Odoo's runner selects for /account_dunning, at and post install."""
    from odoo.modules import module as odoo_module
    from odoo.tests.loader import get_module_test_cases, get_test_modules
    from odoo.tests.tag_selector import TagsSelector
    from odoo.tools import config

    config.parse_config(["--addons-path", addons_path], setup_logging=False)
    odoo_module.initialize_sys_path()
    selector = TagsSelector("/account_dunning")
    positions = TagsSelector("at_install"), TagsSelector("post_install")
    selected = set()
    for test_module in get_test_modules("account_dunning"):
        for test in get_module_test_cases(test_module):
            if selector.check(test) and any(position.check(test) for position in positions):
                file_name = test.__class__.__module__.rsplit(".", 1)[-1]
                selected.add(f"{file_name}::{test.__class__.__name__}::{test._testMethodName}")
    return selected


def pytest_collected(node_ids_file):
    """The test ids pytest collected (``path/test_x.py::Class::test_y`` lines)."""
    collected = set()
    with open(node_ids_file, encoding="utf-8") as lines:
        for raw_line in lines:
            node_id = raw_line.strip()
            if "::" not in node_id:
                continue
            path, *rest = node_id.split("::")
            file_name = path.rsplit("/", 1)[-1].removesuffix(".py")
            collected.add("::".join([file_name, *rest]))
    return collected


def main():
    addons_path, node_ids_file = sys.argv[1:3]
    odoo_tests = odoo_selected(addons_path)
    pytest_tests = pytest_collected(node_ids_file)
    only_pytest = sorted(pytest_tests - odoo_tests)
    only_odoo = sorted(odoo_tests - pytest_tests)
    for name in only_pytest:
        print(f"account_dunning: pytest only (Odoo's runner skips it): {name}")
    for name in only_odoo:
        print(f"account_dunning: Odoo's runner only (pytest skips it): {name}")
    print(f"account_dunning: Odoo's runner selects {len(odoo_tests)} tests, pytest collects {len(pytest_tests)}.")
    return 1 if only_pytest or only_odoo else 0


if __name__ == "__main__":
    sys.exit(main())
