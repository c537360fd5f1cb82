"""What the board and its pages read: day lists (`schedule`, `listed_cases`), the schedule's
revision, the KPI sheet (`kpis`) and a case's history (`case_history`); reading only, audited."""
