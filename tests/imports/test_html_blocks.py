"""Agency HTML as body blocks that fit the editorial API's block shapes."""

from pydantic import TypeAdapter

from app.articles.schemas import BlockWrite
from app.imports.html_blocks import html_blocks
from app.kit.fields import LABEL_MAX

BLOCKS = TypeAdapter(list[BlockWrite])


def test_an_image_whose_url_could_break_out_of_an_attribute_is_left_out() -> None:
    blocks = html_blocks(
        '<p>Before.</p><img src="https://cdn.example/a b.jpg" alt="x">'
        "<img src='https://cdn.example/\"onload=alert(1).jpg'>"
        '<img src="https://cdn.example/ok.jpg" alt="Fine"><p>After.</p>'
    )
    assert [block["type"] for block in blocks] == ["paragraph", "image", "paragraph"]
    assert blocks[1]["url"] == "https://cdn.example/ok.jpg"
    BLOCKS.validate_python(blocks)


def test_a_caption_longer_than_a_block_holds_is_cut_to_fit() -> None:
    caption = "A very long caption. " * 100
    blocks = html_blocks(
        f'<figure><img src="https://cdn.example/p.jpg" alt="{"alt " * 400}">'
        f"<figcaption>{caption}</figcaption></figure>"
    )
    (image,) = blocks
    assert image["caption"] == caption.strip()[:LABEL_MAX]
    assert LABEL_MAX - 1 <= len(image["alt"]) <= LABEL_MAX
    assert ("alt " * 400).startswith(image["alt"])
    BLOCKS.validate_python(blocks)
