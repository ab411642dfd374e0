"""Run by Debian's /usr/bin/python3 (PyQGIS), not by pytest: open the GeoPackage export and the
OGC API – Features layers the way an analyst's QGIS does, with a Basic authentication config,
and print what QGIS sees as JSON on stdout.

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/api/qgis_client.py SPEC.json

SPEC: {"gpkg": path, "oapif": base URL of /ogc, "user": name, "password": password,
"layers": [layer names], "profile": a writable folder}.
"""

import json
import os
import sys


def describe(layer, QgsWkbTypes):
    fields = {f.name(): f.typeName() for f in layer.fields()}
    return {
        "valid": layer.isValid(),
        "count": layer.featureCount(),
        "geometry": QgsWkbTypes.displayString(layer.wkbType()),
        "fields": fields,
        "error": layer.error().summary() if not layer.isValid() else "",
        "titles": sorted(str(f["title"]) for f in layer.getFeatures()) if layer.isValid() else [],
    }


def main(spec_path):
    with open(spec_path, encoding="utf-8") as handle:
        spec = json.load(handle)
    from qgis.core import (
        QgsApplication,
        QgsAuthMethodConfig,
        QgsVectorLayer,
        QgsWkbTypes,
    )

    app = QgsApplication([], False, spec["profile"])
    app.initQgis()
    auth = QgsApplication.authManager()
    auth.setMasterPassword("smartspot-test-master", True)
    config = QgsAuthMethodConfig()
    config.setName("smartspot")
    config.setMethod("Basic")
    config.setConfig("username", spec["user"])
    config.setConfig("password", spec["password"])
    stored = auth.storeAuthenticationConfig(config)
    stored = stored[0] if isinstance(stored, tuple) else stored
    result = {"auth_stored": bool(stored), "gpkg": {}, "oapif": {}}
    for name in spec["layers"]:
        layer = QgsVectorLayer(f"{spec['gpkg']}|layername={name}", name, "ogr")
        result["gpkg"][name] = describe(layer, QgsWkbTypes)
        uri = f"url='{spec['oapif']}' typename='{name}' authcfg='{config.id()}'"
        layer = QgsVectorLayer(uri, name, "OAPIF")
        result["oapif"][name] = describe(layer, QgsWkbTypes)
    print(json.dumps(result), flush=True)
    # PyQGIS 3.22 often crashes in exitQgis() while layers are alive; the answer is out, so
    # leave without its teardown.
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1])
