"""Record sheets of NH-QP14 section 6: one export mechanism (Excel and PDF) for every area.

How an area adds a sheet ("a template plus a small declaration each"):

1. <area>/sheets.py — declare it (nhcs.sheets.declarations):
       ORDER_LIST = ListSheet("production_plan_review", [Column(...), ...], landscape=True)
       CHANGE_NOTICE = RecordSheet("change_notice", "orders/sheets/change_notice.html",
                                   signature_boxes=[SignatureBox("编制 Prepared"), ...], fields=[...])
   The first argument is the FormSetting key (title, document number, version; seeded, edited in the
   admin): product_demand_plan, production_plan_review, change_notice, complaint_record, survey_form,
   survey_statistics, customer_property_register, certified_data_letter.
2. A record sheet's template: {% extends "sheets/pdf/record.html" %} and override {% block body %}
   (context: record, fields, changes, signature_boxes, company, form; {% load sheets %}
   {% struck changes "field" value %} prints 划改). Lists need no template. For Excel, an
   xlsx_builder writes the same body with nhcs.sheets.xlsx_record's table helpers (see declarations).
3. Views: check permissions, then call nhcs.sheets.export.export_list(request=, sheet=, queryset=,
   fmt=, filename=, filterset_class=) or export_record(request=, sheet=, record=, fmt=).
4. URLs: path("orders/export.<sheetfmt:fmt>", ...), path("orders/<int:pk>/sheet.<sheetfmt:fmt>", ...).
5. Pages: {% load sheets %}{% export_buttons "orders:order_export" pk=order.pk %} (lists keep their
   filters: the buttons carry the current query string).

The customer satisfaction survey form (annex table 1) belongs to the surveys area: satisfaction.survey_form
prints it on this mechanism; the blank one is at satisfaction:survey_form_blank.
"""
