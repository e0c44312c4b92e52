import importlib


def test_verbs_survive_subpackage_imports():
    import thesis

    for module in ("thesis.replay.fills", "thesis.study.stats", "thesis.evaluate", "thesis.chart"):
        importlib.import_module(module)
    assert callable(thesis.replay) and callable(thesis.study) and callable(thesis.evaluate) and callable(thesis.chart)
