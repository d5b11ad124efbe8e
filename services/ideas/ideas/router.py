"""HTTP routes of the ideas service (parse, authorise, call service.py, shape the answer)."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/ideas", tags=["ideas"])
