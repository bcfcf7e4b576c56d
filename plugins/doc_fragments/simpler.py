# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from ansible_collections.isp.provisioning.plugins.doc_fragments.tls import ConnectionFragment


class ModuleDocFragment(ConnectionFragment):
    # Connection to an Azotel SIMPLer operator API, over REST/JSON or SOAP.
    ENV_PREFIX = "ISP_SIMPLER_"
    CONNECTION = r"""
options:
  url:
    description:
      - Root URL of the SIMPLer server, for example V(https://server.azotel.com).
        The REST API is under O(rest_path) below it, the SOAP endpoint at O(soap_path).
      - For the plain REST API on port 8080, use V(http://server.azotel.com:8080)
        with O(rest_path=""), the API then being at C(/API/<function>).
    type: str
    required: true
  api_username:
    description:
      - API user name Azotel gave the operator. The server also checks the
        caller's IP address against the operator's access list.
    type: str
    required: true
  api_password:
    description:
      - Password of O(api_username).
    type: str
    required: true
  operator:
    description:
      - The operator's database, for operators that have more than one.
    type: str
  transport:
    description:
      - V(rest) calls C(<url>/<rest_path>/API/<function>) with JSON bodies.
      - V(soap) calls the SOAP endpoint with the Python library zeep, which must
        then be installed where the module runs. The server publishes no WSDL;
        the collection ships one for the functions it calls.
      - Both give the same results.
    type: str
    choices: [rest, soap]
    default: rest
  rest_path:
    description:
      - Folder of the REST API below O(url) (the TLS deployment's is V(restapi)).
    type: str
    default: restapi
  soap_path:
    description:
      - Path of the SOAP endpoint (SOAP::Lite's C(proxy)) below O(url).
    type: str
    default: API/operatorapi.pl
  soap_namespace:
    description:
      - Namespace of the SOAP calls (SOAP::Lite's C(uri)). The server reads only
        its path, which must be C(/OperatorAPI).
      - Defaults to C(http://<host of url>/OperatorAPI).
    type: str
requirements:
  - zeep (only for O(transport=soap))
"""
