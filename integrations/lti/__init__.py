"""LTI 1.3 tool (LTI Advantage): launches, deep linking, NRPS rosters and AGS grades, per institution."""
