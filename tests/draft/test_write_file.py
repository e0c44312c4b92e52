"""`thesis draft -o FILE` never changes what the user owns: a file's mode, a symlink, the umask."""
import os
import stat

from thesis.draft.write import write_atomic


def test_an_existing_file_keeps_its_mode(tmp_path):
    target = tmp_path / "idea.toml"
    target.write_text("old\n")
    target.chmod(0o640)
    write_atomic(target, "new\n")
    assert target.read_text() == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_new_file_gets_the_umask_mode_not_0600(tmp_path):
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "fresh.toml", "x\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "fresh.toml").stat().st_mode) == 0o644


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path):
    real = tmp_path / "real" / "idea.toml"
    real.parent.mkdir()
    real.write_text("old\n")
    link = tmp_path / "idea.toml"
    link.symlink_to(real)
    write_atomic(link, "new\n")
    assert link.is_symlink()
    assert real.read_text() == "new\n"
    assert not [p for p in real.parent.iterdir() if p.name.startswith(".")]
