"""Plan-progress toolkit: generate → collect → merge → report for a city's yearly plan review.

計画の進捗管理ツールキット。担当課ごとの照会様式の作成（generate）、回収と検証（collect）、
マスターへの集約（merge）、報告書の作成（report）を行う。
"""

__version__ = "0.2.0"
