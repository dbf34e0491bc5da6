# shellcheck shell=bash
# Shared by tools/test, tools/demo, tools/lint and tools/bench: find the installed Odoo,
# make PostgreSQL reachable, and link this checkout into an addons folder as
# `account_dunning`. Nothing here installs Odoo: the project assumes it is installed.

set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODULE=account_dunning

say() { printf 'account_dunning: %s\n' "$*" >&2; }
die() { say "$*"; exit 2; }

# Odoo 19.0 must be importable by python3, either installed (pip install -e <odoo>) or
# found through ODOO_PATH (the folder holding odoo-bin).
find_odoo() {
    if [ -n "${ODOO_PATH:-}" ]; then
        export PYTHONPATH="${ODOO_PATH}${PYTHONPATH:+:$PYTHONPATH}"
    fi
    local version
    if ! version=$(cd / && python3 -c 'import odoo.release as r; print(r.major_version)' 2>/dev/null); then
        die "Odoo 19.0 is not installed for python3: install Odoo 19.0 Community (pip install -r requirements.txt && pip install -e . in its source folder) or set ODOO_PATH to the folder that holds odoo-bin."
    fi
    if [ "$version" != "19.0" ]; then
        die "python3 imports Odoo $version, but account_dunning needs Odoo 19.0: install Odoo 19.0 Community or set ODOO_PATH to its source folder."
    fi
}

odoo_cli() { (cd / && python3 -m odoo "$@"); }

# Start the local PostgreSQL cluster when it is down, and make sure the current OS user
# has a superuser role (odoo-bin refuses the `postgres` role itself).
ensure_postgres() {
    if ! pg_isready -q 2>/dev/null; then
        local cluster
        cluster=$(pg_lsclusters --no-header 2>/dev/null | awk 'NR==1 {print $1" "$2}')
        [ -n "$cluster" ] || die "PostgreSQL is not running and no local cluster was found: install PostgreSQL (apt-get install postgresql) or point PGHOST at a running server."
        say "PostgreSQL is not running: starting cluster ${cluster/ //} (pg_ctlcluster $cluster start)."
        # shellcheck disable=SC2086
        pg_ctlcluster $cluster start || die "could not start PostgreSQL cluster ${cluster}."
        for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done
        pg_isready -q || die "PostgreSQL did not become ready."
    fi
    local me
    me=$(id -un)
    if [ "$me" = "postgres" ]; then
        die "run this as another user than postgres: odoo-bin refuses the postgres role."
    fi
    if ! psql -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
        if [ "$(id -u)" = "0" ]; then
            say "creating the PostgreSQL superuser role '$me' (odoo-bin needs a role other than postgres)."
            su postgres -c "createuser -s '$me'" || die "could not create PostgreSQL role '$me'."
        else
            die "cannot connect to PostgreSQL as '$me': create the role (sudo -u postgres createuser -s $me)."
        fi
    fi
}

# An addons folder outside the checkout that holds only a link named account_dunning.
addons_dir() {
    local dir="${ACCOUNT_DUNNING_ADDONS:-${TMPDIR:-/tmp}/account_dunning-addons-$(printf '%s' "$REPO_ROOT" | md5sum | cut -c1-10)}"
    mkdir -p "$dir"
    ln -sfn "$REPO_ROOT" "$dir/$MODULE"
    printf '%s\n' "$dir"
}

# The browser test (tests/test_board_tour.py) drives headless Chromium; Odoo looks for it
# as ODOO_BROWSER_BIN, then google-chrome, chromium, chromium-browser, google-chrome-stable.
ensure_chrome() {
    if [ -n "${ODOO_BROWSER_BIN:-}" ] && [ -x "$ODOO_BROWSER_BIN" ]; then
        return
    fi
    local bin
    for bin in google-chrome chromium chromium-browser google-chrome-stable; do
        command -v "$bin" >/dev/null 2>&1 && return
    done
    die "Chromium is not installed, and the browser test of the collections board needs it: install Debian's chromium (apt-get install chromium) or set ODOO_BROWSER_BIN to a Chrome executable."
}

db_exists() { psql -d postgres -Atqc "select 1 from pg_database where datname = '$1'" | grep -q 1; }

drop_db() {
    if db_exists "$1"; then
        dropdb --force "$1"
    fi
}
