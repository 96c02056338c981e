"""``GET /v1/presets``: the render presets callers may name."""

from __future__ import annotations

from fastapi import APIRouter

from aiprod.api.deps import ReaderDep, SettingsDep
from aiprod.api.schemas import PresetList, PresetPublic, Problem
from aiprod.spec.presets import available_presets

router = APIRouter(prefix="/v1", tags=["presets"])


@router.get("/presets", responses={401: {"model": Problem}, 403: {"model": Problem}})
def list_presets(_principal: ReaderDep, settings: SettingsDep) -> PresetList:
    """Every built-in and configured preset."""
    presets = available_presets(settings.presets_file).values()
    return PresetList(
        items=[
            PresetPublic(
                name=p.name, description=p.description, width=p.width, height=p.height, fps=p.fps
            )
            for p in presets
        ]
    )
