"""HTTP routes of the voting service (parse, authorise, call service.py, shape the answer)."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/voting", tags=["voting"])
