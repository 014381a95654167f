"""Close-of-run monitors (spidermon suites and actions) and the field-coverage extension."""
