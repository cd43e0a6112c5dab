"""report: the progress report as plain data (build, evaluate), rendered to HTML, Excel, CSV and PDF."""
