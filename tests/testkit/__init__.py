"""Helpers the tests share with the benchmarks: synthetic indexes and films, the answer-quality cases."""
