"""Every chapter follows the template (CONTRIBUTING.md) and was stored executed, in
order, without errors or noise."""

import ast
import re

import pytest
from markdown_it import MarkdownIt

from helpers.privacy import find_identifiers
from tests.book import (
    BRANCH,
    NOT_YET_VALIDATED,
    REPO_URL,
    ROOT,
    SETUP_CELL,
    SITE_URL,
    headings,
    load,
    notebooks,
    output_text,
    source,
    toc_files,
)

NOTEBOOKS = notebooks()
IDS = [p.stem for p in NOTEBOOKS]
DATA_CALLS = (
    "load_medmnist",
    "data.path(",
    "load_ct_series",
    "load_dicom_image",
    "train_article_cnn",
)


def test_toc_and_notebooks_agree():
    toc = set(toc_files())
    on_disk = {f"notebooks/{p.stem}" for p in NOTEBOOKS}
    assert on_disk <= toc, f"notebooks missing from _toc.yml: {sorted(on_disk - toc)}"
    for entry in toc:
        assert (ROOT / f"{entry}.ipynb").is_file() or (
            ROOT / f"{entry}.md"
        ).is_file(), f"{entry} in _toc.yml does not exist"
    assert len(NOTEBOOKS) >= 17


@pytest.fixture(params=NOTEBOOKS, ids=IDS)
def nb(request):
    if request.param.stem in NOT_YET_VALIDATED:
        pytest.skip(
            f"{request.param.name} is not validated: "
            f"{NOT_YET_VALIDATED[request.param.stem]}"
        )
    notebook = load(request.param)
    notebook["path"] = request.param
    return notebook


def markdown_of(nb) -> str:
    return "\n\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "markdown")


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def test_title_objectives_prerequisites_runtime(nb):
    first = nb["cells"][0]
    assert first["cell_type"] == "markdown"
    text = source(first)
    number = nb["path"].stem[:2]
    assert re.match(rf"# {number} · \S", text), (
        "first cell must start with '# NN · Title'"
    )
    for needed in ("You will learn", "Prerequisites", "Runtime"):
        assert needed in text, f"first cell lacks '{needed}'"
    colab = f"https://colab.research.google.com/github/{REPO_URL.removeprefix('https://github.com/')}/blob/{BRANCH}/"
    badge = (
        "[![Open in "
        f"Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab}notebooks/"
    )
    assert f"{badge}{nb['path'].name})" in text, (
        "first cell lacks the Open in Colab badge for this notebook"
    )


def test_runtime_statement_is_the_measured_one(nb):
    """The first cell's runtime is written by scripts/execute.py from the
    measurement, never by hand."""
    measured = nb["metadata"].get("medimg", {}).get("runtime", {}).get("wall_s")
    match = re.search(
        r"\*\*Runtime:\*\* (?:about )?(\d+) (s|min)\b", source(nb["cells"][0])
    )
    assert measured and match, (
        "no '**Runtime:** about N s' statement (run `make execute`)"
    )
    stated = int(match.group(1)) * (60 if match.group(2) == "min" else 1)
    assert 0.5 * measured - 5 <= stated <= 1.5 * measured + 5, (
        f"states {stated} s, measured {measured} s"
    )


def test_setup_cell_is_the_standard_one(nb):
    first_code = code_cells(nb)[0]
    assert source(first_code).strip() == SETUP_CELL
    assert "nbval-ignore-output" in first_code["metadata"].get("tags", [])


def test_headings_form_a_hierarchy(nb):
    levels = headings(markdown_of(nb))
    assert [lvl for lvl, _ in levels].count(1) == 1, "exactly one H1 title"
    for (previous, _), (level, text) in zip(levels, levels[1:]):
        assert level <= previous + 1, (
            f"heading '{text}' jumps from H{previous} to H{level}"
        )
    names = [text for _, text in levels]
    assert "Exercises" in names and "Summary" in names
    assert names.index("Exercises") < names.index("Summary")


YOUR_TURN = (
    "# Your turn: exercise {k}. Replace ... with your answer, then run the cell."
)


def test_exercises_check_the_readers_answer_and_hide_their_solutions(nb):
    """Each exercise: a 'your turn' cell whose last line checks the reader's answer (it
    starts as `...`, which only prints 'not answered yet'), then the solution, titled by
    the exercise alone and hidden in all three places (site: one hide-cell toggle;
    Jupyter: source_hidden; Colab: a # @title form), its output not stored (nbval still
    runs it), asserting that the same check accepts the book's answer."""
    cells = nb["cells"]
    chapter = nb["path"].stem[:2]
    solutions = [
        i
        for i, c in enumerate(cells)
        if c["cell_type"] == "code"
        and source(c).lstrip().startswith("# @title Solution")
    ]
    assert solutions, "no solution cell (first line '# @title Solution to exercise N')"
    for k, i in enumerate(solutions, start=1):
        text, meta = source(cells[i]), cells[i]["metadata"]
        assert text.splitlines()[0] == f"# @title Solution to exercise {k}", (
            "the title names the exercise only"
        )
        assert {"hide-cell", "nbval-ignore-output"} <= set(meta.get("tags", [])), (
            "tags hide-cell, nbval-ignore-output"
        )
        assert meta.get("jupyter", {}).get("source_hidden") is True, (
            "solution shows in Jupyter"
        )
        assert meta.get("cellView") == "form", (
            "solution shows in Colab (cellView: form)"
        )
        assert cells[i]["outputs"] == [], (
            f"solution {k} stores its output (the answer before the attempt)"
        )
        last = ast.parse(text).body[-1]
        assert isinstance(last, ast.Assert) and ast.unparse(last.test).startswith(
            f"helpers.exercises.check('{chapter}.{k}', "
        ), "the solution ends by asserting its own check"
        after = cells[i + 1]
        assert after["cell_type"] == "code" or source(after).startswith("## "), (
            f"text after solution {k} discusses its unstored output: move it into "
            "the solution as comments"
        )
        turn = cells[i - 1]
        lines = source(turn).strip().splitlines()
        assert turn["cell_type"] == "code" and lines[0] == YOUR_TURN.format(k=k), (
            f"no 'your turn' cell before {k}"
        )
        assert lines[1].startswith("answer = ...  # "), (
            "the answer starts as ... with a comment saying what goes there"
        )
        call = ast.parse(source(turn)).body[-1]
        assert isinstance(call, ast.Expr) and ast.unparse(call).startswith(
            f"helpers.exercises.check('{chapter}.{k}', answer"
        ), "the cell ends by checking `answer`"
        printed = "".join(output_text(o) for o in turn.get("outputs", []))
        assert (
            printed
            == f"Exercise {chapter}.{k}: not answered yet: replace the ... with your "
            "answer.\n"
        ), printed
    for c in cells:
        tags = c["metadata"].get("tags", [])
        if "hide-input" in tags or "hide-cell" in tags:
            assert c["metadata"].get("jupyter", {}).get("source_hidden"), (
                "hidden cell shows in Jupyter"
            )


MYST = [
    (r"\{[\w:.-]+\}<code>", "a MyST role such as {glue:text}`name`"),
    (r'<code class="language-\{', "a MyST directive such as ```{note}"),
    (r"(?m)^<p>:{3,}", "a colon-fenced directive"),
    (r"(?m)^<p>\([\w-]+\)=", "a MyST target (label)="),
    (r"\]\([^)]*\.(?:ipynb|md)\b", "a relative link to another page"),
]


def test_markdown_reads_right_in_jupyter_and_colab(nb):
    """Render the Markdown as Jupyter does (CommonMark): no MyST left over, links
    absolute."""
    renderer = MarkdownIt("commonmark").enable("table")
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        html = renderer.render(source(cell))
        for pattern, what in MYST:
            found = re.search(pattern, html)
            assert not found, (
                f"{what} in Markdown (Colab shows it raw): {found.group(0)!r}"
            )
        for target in re.findall(r'href="([^"]+)"', html):
            assert target.startswith(("http://", "https://", "#", "mailto:")), (
                f"relative link {target}"
            )
            if target.startswith(SITE_URL):
                page = target.removeprefix(SITE_URL).split("#")[0].removesuffix(".html")
                assert page in toc_files(), (
                    f"link to a page the book does not have: {target}"
                )


def test_code_lines_fit_the_site(nb):
    for cell in code_cells(nb):
        for line in source(cell).splitlines():
            assert len(line) <= 88, (
                f"code line of {len(line)} characters (max 88): {line[:60]}..."
            )


MAX_CELL_LINES = (
    50  # a cell a reader takes in at once: about 40 lines, never more than 50
)


def test_code_cells_stay_short(nb):
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            lines = len(source(cell).splitlines())
            assert lines <= MAX_CELL_LINES, (
                f"cell {index} has {lines} lines: split it (max {MAX_CELL_LINES})"
            )


def test_licence_where_data_is_loaded(nb):
    code = "\n".join(source(c) for c in code_cells(nb))
    if any(call in code for call in DATA_CALLS):
        assert re.search(r"[Ll]icen[cs]e", markdown_of(nb)), (
            "loads data but states no licence"
        )
        assert re.search(r"[Cc]it(e|ation)", markdown_of(nb)), (
            "loads data but gives no citation"
        )


def test_not_a_diagnostic_device_where_models_are_trained(nb):
    code = "\n".join(source(c) for c in code_cells(nb))
    if re.search(r"\.fit\(|training\.fit|train_article_cnn", code):
        assert re.search(r"diagnos", markdown_of(nb), re.I), (
            "trains a model but never says it is not diagnostic"
        )


def test_stored_outputs_from_one_clean_run(nb):
    cells = [c for c in code_cells(nb) if source(c).strip()]
    counts = [c["execution_count"] for c in cells]
    assert counts == list(range(1, len(cells) + 1)), (
        "execute top to bottom in a fresh kernel (make execute)"
    )
    for cell in cells:
        for output in cell["outputs"]:
            assert output["output_type"] != "error", (
                f"error stored in: {source(cell)[:60]}"
            )
            if output.get("name") == "stderr":
                pytest.fail(
                    "stderr output (warning or debug noise) stored in: "
                    f"{source(cell)[:80]!r}: "
                    f"{output_text(output)[:200]!r}"
                )
    assert nb["metadata"].get("medimg", {}).get("runtime"), (
        "no measured runtime: run `make execute`"
    )


def test_no_absolute_paths_or_identifiers_in_outputs(nb):
    for cell in code_cells(nb):
        for output in cell["outputs"]:
            text = output_text(output)
            found = find_identifiers(text)
            assert not found, f"identifier or absolute path in output: {found[:3]}"


def test_figures_are_explained(nb):
    cells = nb["cells"]
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "code" and any(
            "image/png" in o.get("data", {}) for o in cell.get("outputs", [])
        ):
            following = cells[i + 1] if i + 1 < len(cells) else None
            assert following is not None and following["cell_type"] == "markdown", (
                f"figure from '{source(cell)[:60]}' is not followed by a Markdown "
                "cell saying what it shows"
            )


def test_links_to_next_chapter(nb):
    text = markdown_of(nb)
    index = NOTEBOOKS.index(nb["path"])
    if index + 1 < len(NOTEBOOKS):
        url = f"{SITE_URL}notebooks/{NOTEBOOKS[index + 1].stem}.html"
        assert f"({url})" in text, (
            f"no link to the next chapter {NOTEBOOKS[index + 1].name}"
        )


SITE_ONLY = [
    r"badge above",
    r"download icon",
    r"rocket icon",
    r"on the site,",
    r"in the sidebar",
    r"```bash",
]


def test_text_reads_right_without_the_site(nb):
    """No sentence that needs the site (its badges, icons or sidebar), no terminal-only
    commands (free Colab has no terminal: `!python -m ...` in a cell works everywhere),
    and the GPU choice comes before the install cell (changing
    Colab's runtime restarts it)."""
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            for pattern in SITE_ONLY:
                if nb["path"].stem.startswith("16_") and pattern == r"```bash":
                    # chapter 16 shows Docker commands for a local terminal on purpose
                    continue
                assert not re.search(pattern, source(cell)), (
                    f"site- or terminal-only text: {pattern!r}"
                )
    first_code = next(i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code")
    assert "Change runtime type" in source(nb["cells"][first_code - 1]), (
        "GPU advice before the install cell"
    )


TF_LOG_LINE = re.compile(
    r"(?m)^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWEF] |NodeDef mentions attribute"
)


def test_no_tensorflow_log_lines_stored(nb):
    """Outputs are stored with TensorFlow's log visible (as readers see it): none of
    its C++ lines may be there."""
    for cell in code_cells(nb):
        for output in cell["outputs"]:
            assert not TF_LOG_LINE.search(output_text(output)), (
                f"TensorFlow log line in: {source(cell)[:60]!r}"
            )


def test_figures_have_alt_text(nb):
    """Every figure carries a description for screen readers on the site (cell
    metadata mystnb.image.alt, which myst-nb writes into the <img> tag), saying what
    the figure shows, not only its title."""
    for cell in code_cells(nb):
        if any("image/png" in o.get("data", {}) for o in cell.get("outputs", [])):
            alt = cell["metadata"].get("mystnb", {}).get("image", {}).get("alt", "")
            assert len(alt) >= 40, (
                f"figure without alt text (mystnb.image.alt): {source(cell)[:60]!r}"
            )


HELPERS_TEXT = "\n".join(
    p.read_text() for p in sorted((ROOT / "src" / "helpers").rglob("*.py"))
)
# Decimals in prose that are arithmetic the sentence itself shows, illustrations, or
# facts from the cited literature
# not in the helpers' tables: each with its reason. Everything else must be printed or
# written by a cell, or be a
# constant of the code (a result typed into prose goes stale when the notebook is
# re-executed).
PROSE_NUMBERS = {
    ("02", "0.004"): "1/255, worked out in the sentence",
    ("03", "0.25"): "the sigmoid's largest slope, a property of the function",
    ("06", "0.83"): "an illustrative model output in the overview",
    ("09", "0.10"): "worked example of differences of cumulative probabilities",
    ("09", "0.20"): "worked example of differences of cumulative probabilities",
    ("10", "1.024"): "256 samples at 250 Hz, given in the sentence",
    ("11", "0.2"): "350 mm / 1760 pixels, worked out in the sentence",
    (
        "11",
        "0.63",
    ): "MedMNIST v2 FractureMNIST3D baselines (Yang et al. 2023), cited in the "
    "sentence",
    (
        "11",
        "0.75",
    ): "MedMNIST v2 FractureMNIST3D baselines (Yang et al. 2023), cited in the "
    "sentence",
    ("14", "1.4"): "5 % of 28 pixels, worked out in the sentence",
}


def code_values(text: str) -> set[float]:
    return {
        float(m)
        for m in re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?:e-?\d+)?(?![\w.])", text)
    }


def test_decimals_in_prose_come_from_cells(nb):
    """A decimal in the Markdown is printed by a cell, written in the code (the
    notebook's or the helpers'), or listed in PROSE_NUMBERS with its reason."""
    cells = nb["cells"]
    code = "\n".join(source(c) for c in code_cells(nb))
    outputs = "\n".join(output_text(o) for c in code_cells(nb) for o in c["outputs"])
    values = code_values(code)
    chapter = nb["path"].stem[:2]
    unexplained = []
    for cell in cells:
        if cell["cell_type"] != "markdown":
            continue
        text = re.sub(
            r"\(https?://[^)]*\)|https?://\S+|doi:\S+|\$[^$]*\$|CC BY(?:-NC)? \d\.\d",
            "",
            source(cell),
        )
        for number in re.findall(r"(?<![\w.])\d+\.\d+(?![\w.])", text):
            if (
                number in code
                or number in outputs
                or number in HELPERS_TEXT
                or float(number) in values
            ):
                continue
            if (chapter, number) not in PROSE_NUMBERS:
                unexplained.append(number)
    assert not unexplained, (
        f"decimals in prose that no cell prints or computes: {sorted(set(unexplained))}"
    )
