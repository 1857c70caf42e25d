"""The test suite as a package, so that tests/desktop is the package ``tests.desktop``: without this file
pytest imports tests/desktop as a top-level package named ``desktop``, which hides the app's ``desktop``
package, and ``desktop.window`` and the rest were then found only through an editable install's finder
(which can point at another checkout than the one under test)."""
