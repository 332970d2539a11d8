"""The vendored Swagger UI is the version its note names, with its licence."""

from app.docs.swagger import ASSETS, SWAGGER_UI_VERSION


def test_the_bundle_is_the_noted_version_of_swagger_ui_5() -> None:
    major = int(SWAGGER_UI_VERSION.split(".")[0])
    assert major >= 5, "Swagger UI reads OpenAPI 3.1 from version 5 on"
    bundle = (ASSETS / "swagger-ui-bundle.js").read_text(encoding="utf-8")
    assert f'PACKAGE_VERSION:"{SWAGGER_UI_VERSION}"' in bundle


def test_the_apache_licence_ships_with_it() -> None:
    assert "Apache License" in (ASSETS / "LICENSE").read_text(encoding="utf-8")
    assert "SmartBear" in (ASSETS / "NOTICE").read_text(encoding="utf-8")
