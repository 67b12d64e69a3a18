"""The plain FastAPI + SQLModel app a user would write instead of this project, for comparison.

Two routes with the contract's paths (create a manifest job, list jobs), SQLModel sessions
from a dependency, the API key looked up (by SHA-256) on every request, a count(*) for the
total and OFFSET paging: the shape of the full-stack FastAPI template. It has no queue, no
events, no validation beyond pydantic's, and so does strictly less work per request than the
service it is compared with.

    .venv/bin/python bench/plain_app.py --port 8090 --database sqlite:///plain.db --key KEY
"""

# No `from __future__ import annotations`: FastAPI must see the local dependency aliases.

import argparse
import hashlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

import uvicorn
from fastapi import Depends, FastAPI, Header, HTTPException, Query
from sqlalchemy import event
from sqlmodel import Field, Session, SQLModel, create_engine, func, select


class ApiKey(SQLModel, table=True):
    key_hash: str = Field(primary_key=True)
    user_id: str


class Workspace(SQLModel, table=True):
    id: str = Field(primary_key=True)
    org: str = Field(index=True)
    slug: str = Field(index=True)


class Job(SQLModel, table=True):
    id: str = Field(primary_key=True)
    workspace_id: str = Field(index=True)
    kind: str
    status: str
    preset: str | None = None
    seed: int | None = None
    created_by: str
    created_at: datetime = Field(index=True)


class ManifestCreate(SQLModel):
    name: str | None = None
    preset: str | None = None
    seed: int | None = None
    num_users: int | None = None
    num_hosts: int | None = None


def build_app(database: str) -> FastAPI:
    engine = create_engine(database, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(conn: Any, _: Any) -> None:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA busy_timeout=5000")

    SQLModel.metadata.create_all(engine)
    app = FastAPI()

    def session() -> Iterator[Session]:
        with Session(engine) as s:
            yield s

    SessionDep = Annotated[Session, Depends(session)]

    def caller(s: SessionDep, x_api_key: Annotated[str, Header()]) -> str:
        key = s.get(ApiKey, hashlib.sha256(x_api_key.encode()).hexdigest())
        if key is None:
            raise HTTPException(401, "bad key")
        return key.user_id

    def workspace(s: SessionDep, org: str, ws: str) -> Workspace:
        found = s.exec(select(Workspace).where(Workspace.org == org, Workspace.slug == ws)).first()
        if found is None:
            raise HTTPException(404, "no such workspace")
        return found

    @app.post("/api/v1/org/{org}/ws/{ws}/worlds/manifests", status_code=202)
    def create(body: ManifestCreate, s: SessionDep, user: Annotated[str, Depends(caller)],
               space: Annotated[Workspace, Depends(workspace)]) -> Job:
        job = Job(id=str(uuid.uuid4()), workspace_id=space.id, kind="manifest_generation",
                  status="queued", preset=body.preset, seed=body.seed, created_by=user,
                  created_at=datetime.now(UTC))
        s.add(job)
        s.commit()
        s.refresh(job)
        return job

    @app.get("/api/v1/org/{org}/ws/{ws}/worlds/jobs")
    def list_jobs(s: SessionDep, user: Annotated[str, Depends(caller)],
                  space: Annotated[Workspace, Depends(workspace)],
                  page: Annotated[int, Query(ge=1)] = 1,
                  page_size: Annotated[int, Query(ge=1, le=100)] = 20) -> dict[str, Any]:
        query = select(Job).where(Job.workspace_id == space.id)
        total = s.exec(select(func.count()).select_from(query.subquery())).one()
        items = s.exec(query.order_by(Job.created_at.desc(), Job.id.desc())  # type: ignore[attr-defined]
                       .offset((page - 1) * page_size).limit(page_size)).all()
        return {"items": items, "page": page, "page_size": page_size, "total": total}

    with Session(engine) as s:
        if s.exec(select(Workspace)).first() is None:
            s.add(Workspace(id=str(uuid.uuid4()), org="local", slug="main"))
        s.commit()
    app.state.engine = engine
    return app


def add_key(app: FastAPI, key: str) -> None:
    with Session(app.state.engine) as s:
        digest = hashlib.sha256(key.encode()).hexdigest()
        if s.get(ApiKey, digest) is None:
            s.add(ApiKey(key_hash=digest, user_id=str(uuid.uuid4())))
            s.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--key", required=True)
    args = parser.parse_args()
    app = build_app(args.database)
    add_key(app, args.key)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
