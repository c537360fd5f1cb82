"""The KPI formulas, pure: the facts they read (`kpi_facts`), what became of bookings, the weeks,
a scope that narrows them, and the sheet of figures (`kpis`, `kpi_figures`)."""
