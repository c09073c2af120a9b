"""Scheduling (SPEC §10): place unscheduled sessions with CP-SAT and write their starts back.

The only user of OR-Tools (an optional extra, `vconf[solve]`) and of tomlkit.
"""
