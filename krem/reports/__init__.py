"""Reports: a project report and a portfolio report, as HTML pages and as PDF (issue 11, part 5).

They sit in the site layer because they read both projects and dialogues. The project report renders the project
page's own sections (projects/partials/project/) from the same context (projects.views.project_page_context), so
it shows exactly what the reader sees on the page; the portfolio loads its chapters in bulk (queries.py) and renders
them with the same partials. The PDF is the HTML page printed by WeasyPrint with static/css/print.css (pdf.py).
"""
