"""Answering questions about a film: retrieval, then an extractive or grounded generated answer."""

from core.answering.answer import Answer, Token, answer_question
from core.answering.registry import create as create_model

__all__ = ["Answer", "Token", "answer_question", "create_model"]
