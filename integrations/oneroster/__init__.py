"""OneRoster 1.1/1.2 CSV roster sync from a student information system."""
