"""Providers behind one small interface: `answer(request) -> str`.

- LocalProvider: assist/local.py, deterministic and offline; nothing leaves Scribe Tree.
- OpenAICompatibleProvider: POST {base_url}/chat/completions in the OpenAI chat-completions shape
  (works with a hosted API or a school's own server: vLLM, llama.cpp, Ollama…). It only ever sees
  redacted text (assist/actions.py redacts before calling). Errors become ProviderError with a
  message safe to show; the key, the URL's query and the response body are never logged.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlparse

import requests
from django.conf import settings

from assist import local

TIMEOUT = (5, 60)  # connect, read (seconds)

SYSTEM = (
    "You are a writing tutor for a school student. You must never write, rewrite, complete, correct or "
    "paraphrase the student's text, and never give a revised version of any sentence or paragraph. "
    "Ask questions, describe what you notice and point at places (quote at most six words). "
    "Identifiers appear as placeholders like [PERSON_1]; keep them unchanged. Stay within the task: {task}"
)
TASKS = {
    "brainstorm": "ask 4-6 Socratic questions that help the student find and test their own ideas.",
    "outline": "comment on the structure and the thesis of the outline: order, missing parts, what each part does.",
    "clarity": "point out where clarity or structure suffers (long sentences, paragraph focus, transitions).",
    "grammar": "name the kinds of grammar or punctuation slips you see and where, without correcting them.",
}


@dataclass
class Request:
    category: str
    stage_kind: str
    text: str  # redacted for remote providers
    prompt: str = ""


class ProviderError(Exception):
    """A failure whose message may be shown to the student."""


class LocalProvider:
    name = "local"
    sends_text_out = False

    def answer(self, request):
        return "\n".join(local.feedback(request.category, request.text, request.stage_kind, request.prompt))


class OpenAICompatibleProvider:
    name = "openai"
    sends_text_out = True

    def __init__(self, base_url, model, api_key):
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.api_key = api_key

    def answer(self, request):
        body = {
            "model": self.model,
            "temperature": 0.2,
            "messages": [
                {"role": "system", "content": SYSTEM.format(task=TASKS[request.category])},
                {"role": "user", "content": f"Writing stage: {request.stage_kind}.\nAssignment: {request.prompt}\n\n"
                                            f"Student's text:\n{request.text}"},
            ],
        }
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        refuse_private_address(self.url)
        try:
            response = requests.post(self.url, json=body, headers=headers, timeout=TIMEOUT)
        except requests.RequestException:
            raise ProviderError("The assistant's server could not be reached.") from None
        if response.status_code != 200:
            raise ProviderError(f"The assistant's server answered with an error ({response.status_code}).")
        try:
            return response.json()["choices"][0]["message"]["content"] or ""
        except (ValueError, KeyError, IndexError, TypeError):
            raise ProviderError("The assistant's server sent an answer Scribe Tree could not read.") from None


def refuse_private_address(url):
    """The URL comes from an institution admin: never let it reach our own network (SSRF), unless the
    deployment allows private providers (ASSIST_ALLOW_PRIVATE_PROVIDERS). Checked on every request,
    on every address the name resolves to."""
    if settings.ASSIST_ALLOW_PRIVATE_PROVIDERS:
        return
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ProviderError("The assistant's server address is not valid.")
    try:
        infos = socket.getaddrinfo(parsed.hostname, parsed.port or (443 if parsed.scheme == "https" else 80))
    except OSError:
        raise ProviderError("The assistant's server could not be reached.") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise ProviderError("The assistant's server is on a private network, which this deployment does not "
                                "allow.")


def for_policy(policy):
    from assist.sealing import unseal

    if policy.provider == policy.Provider.OPENAI and policy.base_url:
        return OpenAICompatibleProvider(policy.base_url, policy.model, unseal(policy.sealed_api_key))
    return LocalProvider()
