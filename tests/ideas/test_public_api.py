import importlib


def test_verbs_survive_subpackage_imports():
    import thesis

    importlib.import_module("thesis.replay.fills")
    importlib.import_module("thesis.study.stats")
    assert callable(thesis.replay) and callable(thesis.study) and callable(thesis.evaluate)
