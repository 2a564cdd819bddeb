"""Inline formsets whose rows are added one at a time: with htmx, one empty row fetched by index; without
JavaScript, the "add row" button posts the form back and the view re-renders it with one more row."""


def with_one_more_row(formset):
    """The same bound formset with one more empty row, keeping everything typed. Never beyond its max_num."""
    data = formset.data.copy()
    total = f"{formset.prefix}-TOTAL_FORMS"
    try:
        data[total] = str(min(int(data.get(total, 0)) + 1, formset.max_num))
    except ValueError:
        return formset
    return formset.__class__(data, instance=formset.instance, prefix=formset.prefix)


def requested_index(request, formset_class):
    """The ?index= of the row to render, kept within the formset's limits."""
    try:
        return max(0, min(int(request.GET.get("index", 0)), formset_class.max_num - 1))
    except ValueError:
        return 0


def empty_row(formset, index):
    """An empty, unbound row of `formset` with the form prefix of position `index`: built as Django builds
    `formset.empty_form`, with the prefix of that position instead of __prefix__ (public formset API only)."""
    form = formset.form(
        auto_id=formset.auto_id,
        prefix=formset.add_prefix(index),
        empty_permitted=True,
        use_required_attribute=False,
        renderer=formset.form_renderer,
        **formset.get_form_kwargs(index),
    )
    formset.add_fields(form, index)
    return form
