// escape.h: text into HTML or XML markup (html_page.cc, junit_report.cc): the five characters
// markup gives meaning to as entities, and control characters other than newline and tab (which
// neither allows) replaced.
#pragma once

#include <string>
#include <string_view>

namespace tandem::reports {

// `apos`: the entity for '\'' ("&#39;" in HTML, "&apos;" in XML); `control`: what stands for a
// control character.
inline std::string EscapeMarkup(std::string_view s, std::string_view apos, std::string_view control) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += apos; break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20 && ch != '\n' && ch != '\t')
          out += control;
        else
          out += ch;
    }
  }
  return out;
}

}  // namespace tandem::reports
