"""The dashboard's pages and JSON, one APIRouter per page group (included by thesis.web.app)."""
