import io

from django.core.management import call_command

from tests.coursework.api.base import ApiTestCase

OUR_PATHS = [
    "/api/courses", "/api/courses/{id}", "/api/assignments", "/api/assignments/{id}",
    "/api/assignments/{id}/submission", "/api/assignments/{id}/submissions", "/api/assignments/{id}/peer-reviews",
    "/api/assignments/{id}/peer-review/allocate", "/api/assignments/{id}/peer-review/allocations",
    "/api/submissions/{id}", "/api/submissions/{id}/autosave", "/api/submissions/{id}/submit",
    "/api/submissions/{id}/comments", "/api/submissions/{id}/rubric-scores", "/api/submissions/{id}/grade",
    "/api/submissions/{id}/release", "/api/peer-review/allocations", "/api/peer-review/allocations/{id}",
    "/api/peer-review/allocations/{id}/review", "/api/peer-review/received", "/api/peer-review/received/{id}",
    "/api/peer-review/received/{id}/rate", "/api/peer-reviews/{id}", "/api/peer-reviews/{id}/hide",
]


class ApiSchemaTests(ApiTestCase):
    def test_it_serves_a_schema_with_every_endpoint(self):
        response = self.api("teacher").get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        self.assertEqual(response.status_code, 200)
        paths = response.json()["paths"]
        for path in OUR_PATHS:
            self.assertIn(path, paths)
        self.assertIn("409", paths["/api/submissions/{id}/autosave"]["post"]["responses"])

    def test_it_validates_without_warnings(self):
        # Raises (SystemExit / CommandError) on any schema warning or an invalid OpenAPI document.
        call_command("spectacular", "--urlconf", "scribetree.urls_tenant", "--validate", "--fail-on-warn",
                     stdout=io.StringIO())
