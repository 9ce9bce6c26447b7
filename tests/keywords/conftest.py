"""Shared fixtures and data of the toolkit.keywords tests."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.corpora.schema import standardize_columns


def make_corpus(rows) -> pd.DataFrame:
    return standardize_columns(pd.DataFrame(rows), source="fixture")


@pytest.fixture
def corpus() -> pd.DataFrame:
    return make_corpus(
        [
            {"doc_id": "CHN_1", "actor": "CHN", "year": 2021,
             "text": "China will never sell weapons to either side. Arms sales fuel war.\n\n"
                     "The Arms Trade Treaty matters. Dual-use exports are controlled."},
            {"doc_id": "CHN_2", "actor": "CHN", "year": 2022,
             "text": "We oppose the arms race. China sold no arms. NATO allies send weapons."},
            {"doc_id": "USA_1", "actor": "USA", "year": 2021,
             "text": "Military assistance to Ukraine continues. Arms deliveries and arms "
                     "exports grow. Sanctions on Russia."},
            {"doc_id": "USA_2", "actor": "USA", "year": 2022,
             "text": "The war in Ukraine. We provide security assistance and weapons "
                     "deliveries; sanctions bite. Nato is strong."},
            {"doc_id": "FRA_1", "actor": "FRA", "year": 2022,
             "text": "Peace and development for all. Nothing about the topic here."},
        ]
    )


SMALL = {
    "name": "small",
    "version": "0.1",
    "categories": {
        "transfers": {"terms": ["arms sale", "arms trade", "sell ~2 weapon", "arms"],
                      "intent": "test", "label": "Transfers"},
        "control": {"terms": ["Arms Trade Treaty", "arms race", "ATT"], "label": "Control"},
    },
}


PRESS_DICT = {
    "transfers": ["arms sale", "pour ~2 weapon", "lethal weapon"],
    "aid": ["military aid", "lethal weapon"],
    "other": ["sanction"],
}


@pytest.fixture
def press() -> pd.DataFrame:
    rows = [
        ("p1", "2023-02-20", "Wang Wenbin",
         "The US keeps pouring weapons into Ukraine. Arms sales fuel the war."),
        ("p2", "2023-03-21", "Wang Wenbin",
         "China has provided no lethal weapons. Sanctions do not work."),
        ("p3", "2023-03-02", "Mao Ning",
         "Military aid and arms sales prolong the war. More military aid is coming."),
        ("p4", "2023-04-26", "Mao Ning", "Peace talks now."),
        ("p5", "2023-06-10", None, "Arms sales again."),
    ]
    df = pd.DataFrame(rows, columns=["doc_id", "date", "speaker", "text"])
    return make_corpus(df.assign(actor="CHN", date=pd.to_datetime(df["date"]), year=2023))
