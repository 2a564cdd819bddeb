"""Read a page's form the way a browser would send it: every field with its current value."""

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []  # (attrs, fields) per <form>; fields: list of (name, value)
        self._fields = None
        self._select = None
        self._option = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._fields = []
            self.forms.append((attrs, self._fields))
        elif self._fields is None:
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._fields.append((attrs["name"], attrs.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = [attrs["name"], ""]
        elif tag == "select" and attrs.get("name"):
            self._select = {"name": attrs["name"], "multiple": "multiple" in attrs, "chosen": [], "first": None}
        elif tag == "option" and self._select is not None:
            self._option = attrs
            value = attrs.get("value")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in attrs:
                self._select["chosen"].append(value)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            self._fields.append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            select = self._select
            chosen = select["chosen"] or ([] if select["multiple"] or select["first"] is None else [select["first"]])
            self._fields.extend((select["name"], value or "") for value in chosen)
            self._select = None


def form_data(html, having=None, *, method="post"):
    """The fields of the page's last POST form (or the first that has a field named `having`), as a dict;
    repeated names give lists."""
    parser = _FormParser()
    parser.feed(html if isinstance(html, str) else html.decode())
    forms = [fields for attrs, fields in parser.forms if attrs.get("method", "get").lower() == method]
    if having is not None:
        forms = [fields for fields in forms if any(name == having for name, _value in fields)][:1]
    data = {}
    for name, value in forms[-1]:
        if name == "csrfmiddlewaretoken":
            continue
        if name in data:
            data[name] = data[name] if isinstance(data[name], list) else [data[name]]
            data[name].append(value)
        else:
            data[name] = value
    return data


def page_form(client, url, having=None, **overrides):
    """GET `url` and return its form's data (see form_data) with `overrides` applied."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return {**form_data(response.content, having), **overrides}
