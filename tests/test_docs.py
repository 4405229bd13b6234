"""What the README shows a secretary works as shown."""
import re

from conftest import REPO, texts


def test_the_readme_unit_file_builds_as_the_readme_says(project):
    readme = (REPO / "README.md").read_text("utf-8")
    example = re.search(r"## 单位数据文件怎么写\n\n```yaml\n(.*?)```", readme, re.S).group(1)
    project.file("data/2025-Q3/城关镇.yaml", example)
    result = project.run("build", "-q", ok=True)
    assert "警告" not in result.stderr
    report = project.out("2025-Q3/城关镇.docx")
    body = texts(report, "Normal")
    assert body[:2] == ["现将第三季度工作情况汇报如下。", "本季度共监督检查“六小”行业2085余户次。"]  # no 同比 or 完成 without history: nothing left behind
    assert "（一）加强环境卫生整治。清运垃圾1260余吨。" in body
    assert "1.狠抓日常督促检查。每周一上班前进行全面清扫。" in body
    assert texts(report, "Heading2") == ["（二）规范养犬"]
    assert body[-1] == "总之，……"
    assert texts(report, "Heading1") == ["一、突出专项整治", "二、加强管理，措施到位", "三、存在的问题和建议",
                                         "四、下一步工作打算"]
