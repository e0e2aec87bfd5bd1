"""Import name -> PyPI distribution name, as Windmill maps them."""

from __future__ import annotations

# Keyed by the import root with `_` replaced by `-` (Windmill's lookup form).
SHORT_IMPORTS_MAP: dict[str, str] = {
    "psycopg2": "psycopg2-binary",
    "psycopg": "psycopg[binary, pool]",
    "yaml": "pyyaml",
    "git": "GitPython",
    "shopify": "ShopifyAPI",
    "seleniumwire": "selenium-wire",
    "openbb-terminal": "openbb[all]",
    "riskfolio": "riskfolio-lib",
    "smb": "pysmb",
    "PIL": "Pillow",
    "googleapiclient": "google-api-python-client",
    "googlecloudbigquery": "google-cloud-bigquery",
    "dateutil": "python-dateutil",
    "mailparser": "mail-parser",
    "mailparser-reply": "mail-parser-reply",
    "gitlab": "python-gitlab",
    "smbclient": "smbprotocol",
    "playhouse": "peewee",
    "dns": "dnspython",
    "msoffcrypto": "msoffcrypto-tool",
    "tabula": "tabula-py",
    "shapefile": "pyshp",
    "sklearn": "scikit-learn",
    "umap": "umap-learn",
    "cv2": "opencv-python",
    "atlassian": "atlassian-python-api",
    "mysql": "mysql-connector-python",
    "tenable": "pytenable",
    "ns1": "ns1-python",
    "pymsql": "PyMySQL",
    "haystack": "haystack-ai",
    "github": "PyGithub",
    "ldap": "python-ldap",
    "opensearchpy": "opensearch-py",
    "lokalise": "python-lokalise-api",
    "msgraph": "msgraph-sdk",
    "pythonjsonlogger": "python-json-logger",
    "socks": "PySocks",
    "taiga": "python-taiga",
    "docx": "python-docx",
    "vt": "vt-py",
}

_FULL_IMPORTS_MAP: dict[str, str] = {
    "azure.keyvault.secrets": "azure-keyvault-secrets",
    "azure.storage.blob": "azure-storage-blob",
    "azure.storage.filedatalake": "azure-storage-file-datalake",
}
# Windmill lists each service of these namespaces; the rule they follow is
# `<namespace>.<service>` -> `<dist prefix><service with _ as ->`.
_NAMESPACE_PREFIXES = (("google.cloud.", "google-cloud-"), ("azure.mgmt.", "azure-mgmt-"))


def distribution_for(module: str) -> str | None:
    """PyPI name for a dotted import when Windmill maps it, else None."""
    if module in _FULL_IMPORTS_MAP:
        return _FULL_IMPORTS_MAP[module]
    for namespace, prefix in _NAMESPACE_PREFIXES:
        if module.startswith(namespace):
            service = module[len(namespace) :].split(".", 1)[0]
            if service:
                return prefix + service.replace("_", "-")
    return SHORT_IMPORTS_MAP.get(module.split(".", 1)[0].replace("_", "-"))
