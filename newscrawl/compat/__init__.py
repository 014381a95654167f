"""Compatibility shims for third-party Scrapy plugins that lag behind the Scrapy we pin.

One module per plugin; each workaround says what it is for and when it can go.
"""
