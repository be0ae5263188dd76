"""The bookshop project: settings, the root URLconf, the WSGI entry point."""
