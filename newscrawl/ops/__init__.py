"""Run operations: the cron runner, the data dir's lock, run reports, retention, commands."""
