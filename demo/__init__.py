"""The demo book (demo_book.populate): run by tools/demo and the demo tests, never imported
by the addon itself, so it is no part of a production database."""
