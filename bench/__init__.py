"""Benchmarks: how well and how fast vnsearch does its job, measured against peer engines."""
