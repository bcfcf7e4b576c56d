"""Sphinx configuration of the docs site that ``python3 tasks.py docs`` builds.

The settings are those ``antsibull-docs sphinx-init`` writes for a collection
(the Ansible theme, antsibull's Sphinx extension, nitpicky references), with
three changes: the guides are Markdown (MyST) and read as GitHub shows them,
the build is offline, and the few labels of the Ansible docsite that the
generated plugin pages refer to are linked directly instead of through an
intersphinx inventory.
"""

from docutils import nodes

project = "isp.provisioning"
copyright = "isp.provisioning contributors"  # pylint: disable=redefined-builtin
title = html_short_title = "isp.provisioning"

extensions = ["sphinx_antsibull_ext", "myst_parser"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}

pygments_style = "ansible"
highlight_language = "YAML+Jinja"
html_theme = "sphinx_ansible_theme"
html_show_sphinx = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False

default_role = "any"
# Every reference must resolve: a broken link in a guide or a plugin's
# documentation is a warning, and the build turns warnings into errors.
nitpicky = True
# The guides link to each other's headings (subscribers.md#shards-and-purge),
# as GitHub names them.
myst_heading_anchors = 3

# The build has no network, so no intersphinx inventory can be fetched. The
# plugin pages antsibull-docs generates refer to these Ansible docsite labels;
# each becomes a plain link to its page. Any other unresolved label still fails.
ANSIBLE_DOCSITE = "https://docs.ansible.com/projects/ansible/devel/"
ANSIBLE_DOCSITE_LABELS = {
    "common_return_values": ("reference_appendices/common_return_values.html",
                             "Return Values"),
    "ansible_configuration_settings": ("reference_appendices/config.html",
                                       "Ansible Configuration Settings"),
}


def link_ansible_docsite_label(app, env, node, contnode):  # pylint: disable=unused-argument
    """Resolve a reference to one of ANSIBLE_DOCSITE_LABELS; leave others unresolved."""
    if node.get("refdomain") != "std" or node.get("reftype") != "ref":
        return None
    page = ANSIBLE_DOCSITE_LABELS.get(node.get("reftarget"))
    if page is None:
        return None
    path, page_title = page
    text = contnode.astext() if node.get("refexplicit") else page_title
    return nodes.reference(text, text, internal=False, refuri=ANSIBLE_DOCSITE + path)


def plain_markdown_fences(app, docname, source):  # pylint: disable=unused-argument
    """A Markdown fence without a language is plain text, as on GitHub, not YAML+Jinja."""
    if app.env.doc2path(docname).suffix == ".md":
        app.env.temp_data["highlight_language"] = "none"


def setup(app):
    app.connect("missing-reference", link_ansible_docsite_label)
    app.connect("source-read", plain_markdown_fences)
