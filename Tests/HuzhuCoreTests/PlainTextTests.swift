import HuzhuCore
import Testing

@Suite("Plain text")
struct PlainTextTests {
  @Test(arguments: [
    ("\u{0000}", "U+0000"), ("\u{0007}", "U+0007"), ("\u{007F}", "U+007F"), ("\u{202E}", "U+202E"),
    ("\u{2066}", "U+2066"), ("\u{200F}", "U+200F"), ("\u{061C}", "U+061C"), ("\n", "U+000A"),
  ])
  func aLineRefusesControlAndDirectionCharacters(character: String, code: String) throws {
    let problem = try #require(PlainText.problem(in: "王\(character)秀英"))
    #expect(problem.zh.contains(code) && problem.en.contains(code))
  }

  @Test func paragraphsTakeLineBreaksButNotTheRest() {
    #expect(PlainText.problem(in: "第一行\n第二行\r\n\t缩进", shape: .paragraphs) == nil)
    #expect(PlainText.problem(in: "第一行\u{0000}", shape: .paragraphs) != nil)
    #expect(PlainText.problem(in: "abc\u{202E}gpj.exe", shape: .paragraphs) != nil)
  }

  @Test func visibleTextOfEveryScriptIsAName() {
    for name in ["王秀英", "O'Brien", #""<b>&amp;""#, "Müller-Lüdenscheidt", "阿依古丽·买买提", "👩‍⚕️", "李 建国"] {
      #expect(PlainText.problem(in: name) == nil, "\(name)")
    }
    let error = PlainText.fieldError("李\u{202E}娜", field: "name", label: LocalizedText(zh: "姓名", en: "The name"))
    #expect(error?.field == "name" && error?.code == "invalid_character")
    #expect(error?.message.zh.hasPrefix("【姓名】含有不可见的控制字符") == true)
  }
}
