"""Prometheus metrics through the official client, in a registry of the service's own (so two
services in one process, as in tests, never share counters)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.core.models import Answer, Status


class Metrics:
    """What an operator watches: questions, latency, Telegram errors, reloads, collection size."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.questions = Counter(
            "bot_questions", "Questions answered, by outcome", ["status"], registry=self.registry
        )
        self.no_match = Counter(
            "bot_questions_no_match", "Questions with no relevant passage", registry=self.registry
        )
        self.answer_seconds = Histogram(
            "bot_answer_seconds", "Time to answer one question (analyse, rank, compose)",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=self.registry,
        )
        self.telegram_errors = Counter(
            "bot_telegram_errors", "Telegram API errors, by kind", ["kind"], registry=self.registry
        )
        self.reloads = Counter(
            "bot_reloads", "Reloads of the knowledge folder, by result", ["result"],
            registry=self.registry,
        )
        self.reload_seconds = Histogram(
            "bot_reload_seconds", "Duration of reloads", registry=self.registry,
            buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300),
        )
        self.documents = Gauge("bot_documents", "Documents indexed", registry=self.registry)
        self.passages = Gauge("bot_passages", "Passages indexed", registry=self.registry)

    def answered(self, answer: Answer, seconds: float) -> None:
        """Count one answered question."""
        self.questions.labels(answer.status.value).inc()
        if answer.status is Status.NO_MATCH:
            self.no_match.inc()
        self.answer_seconds.observe(seconds)

    def exposition(self) -> bytes:
        """The metrics in Prometheus text format."""
        return generate_latest(self.registry)
