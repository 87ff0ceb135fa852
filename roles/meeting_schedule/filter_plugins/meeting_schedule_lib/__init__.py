"""Controller-side code of the meeting_schedule role, used by
filter_plugins/schedule_calendar.py. A package (not a plugin file), so
Ansible's plugin loader does not load these modules as filter plugins."""
