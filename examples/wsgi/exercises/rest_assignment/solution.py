"""Assignment: complete a REST service for a to-do list, with validation.

A task is a JSON object:

    {"id": 1, "title": "Read RFC 3875", "done": false, "due": "2026-12-24"}

    GET    /tasks          200, the list                      (given)
    GET    /tasks/<id>     200, or 404                        (given)
    POST   /tasks          201 Created, Location: /tasks/<id>, the task
    PUT    /tasks/<id>     200, the task replaced; 404 if there is none
    DELETE /tasks/<id>     204 No Content; 404 if there is none

``validate_task(data)`` checks what a client sends for POST and PUT and
returns the task's fields: "title" (required) a string of 1 to 100
characters once stripped of surrounding spaces (store it stripped);
"done" (optional, default false) true or false; "due" (optional,
default null) null or a date "YYYY-MM-DD" (datetime.date.fromisoformat,
exactly 10 characters). "id" and any other field are refused. A body
that is not an object, or has any field wrong, raises
``Invalid(fields)``: 422 with {"error": "invalid task", "fields":
{field: what is wrong}}, one entry per wrong field.

Given: reading the JSON body (rest_api.read_json: 415, 411, 413, 400), the
store, the router (404, 405 with Allow) and JSON errors.

    COURSE_IMPL=starter python -m pytest tests/test_wsgi_exercises.py -k Rest
    python examples/wsgi/exercises/rest_assignment/starter.py --port 8080
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path
from wsgiref.simple_server import make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # examples/wsgi

from dispatch import Router  # noqa: E402
from rest_api import ApiError, json_error, json_response, read_json  # noqa: E402

FIELDS = ("title", "done", "due")
LONGEST_TITLE = 100


class Invalid(ApiError):
    """422 with one message per wrong field."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("422 Unprocessable Content", "invalid task")
        self.fields = fields


def validate_task(data) -> dict:
    """The task's fields from what a client sent, or Invalid."""
    if not isinstance(data, dict):
        raise Invalid({"task": "send a JSON object"})
    wrong = {name: "unknown field" for name in data if name not in FIELDS}
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        wrong["title"] = "required: a non-empty string"
    elif len(title.strip()) > LONGEST_TITLE:
        wrong["title"] = f"at most {LONGEST_TITLE} characters"
    done = data.get("done", False)
    if not isinstance(done, bool):
        wrong["done"] = "true or false"
    due = data.get("due")
    if due is not None and not is_date(due):
        wrong["due"] = "null or a date YYYY-MM-DD"
    if wrong:
        raise Invalid(wrong)
    return {"title": title.strip(), "done": done, "due": due}


def is_date(value) -> bool:
    if not isinstance(value, str) or len(value) != 10:
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def add_changes(app: Router, tasks: dict[int, dict]) -> None:
    """Register POST /tasks, PUT and DELETE /tasks/<task_id> on app."""

    @app.route("POST", "/tasks")
    @api
    def create_task(environ, start_response):
        fields = validate_task(read_json(environ))
        task_id = max(tasks, default=0) + 1
        tasks[task_id] = {"id": task_id, **fields}
        return json_response(start_response, "201 Created", tasks[task_id],
                             [("Location", f"/tasks/{task_id}")])

    @app.route("PUT", "/tasks/<task_id>")
    @api
    def replace_task(environ, start_response, task_id):
        task = find(tasks, task_id)
        task.update(validate_task(read_json(environ)))
        return json_response(start_response, "200 OK", task)

    @app.route("DELETE", "/tasks/<task_id>")
    @api
    def delete_task(environ, start_response, task_id):
        del tasks[find(tasks, task_id)["id"]]
        start_response("204 No Content", [])
        return []


# Given -----------------------------------------------------------------

def find(tasks: dict[int, dict], task_id: str) -> dict:
    """The task with this id (a string from the path), or a 404 ApiError."""
    task = tasks.get(int(task_id)) if task_id.isdigit() else None
    if task is None:
        raise ApiError("404 Not Found", f"no task {task_id}")
    return task


def api(handler):
    """ApiError -> its JSON response; Invalid adds its "fields"."""
    def handle(environ, start_response, **params):
        try:
            return handler(environ, start_response, **params)
        except ApiError as error:
            body = {"error": error.message}
            if isinstance(error, Invalid):
                body["fields"] = error.fields
            return json_response(start_response, error.status, body)
    return handle


def make_app(tasks: dict[int, dict] | None = None) -> Router:
    tasks = {} if tasks is None else tasks
    app = Router(error=json_error)

    @app.route("GET", "/tasks")
    @api
    def list_tasks(environ, start_response):
        return json_response(start_response, "200 OK", list(tasks.values()))

    @app.route("GET", "/tasks/<task_id>")
    @api
    def get_task(environ, start_response, task_id):
        return json_response(start_response, "200 OK", find(tasks, task_id))

    add_changes(app, tasks)
    return app


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="0: any free port")
    args = parser.parse_args(argv)
    with make_server(args.host, args.port, make_app()) as server:
        host, port = server.server_address[:2]
        print(f"tasks listening on {host}:{port}", flush=True)
        server.serve_forever()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
