"""HTTP routes of the followup service (parse, authorise, call service.py, shape the answer)."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/followup", tags=["followup"])
