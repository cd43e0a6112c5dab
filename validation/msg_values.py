"""Finding codes for values typed into input cells (V0xx errors, V1xx fixes, V2xx warnings)."""

from validation.message import Message

E, W, F = "error", "warning", "fixed"

MESSAGES: dict[str, Message] = {
    "V001": Message(
        E,
        "「{value}」は概数の書き方です。「約」「程度」などを付けず、数値だけを入れてください（例: 100）。概数であることは備考欄に書いてください。",
    ),
    "V002": Message(
        E,
        "「{value}」は範囲になっています。一つの数値を入れてください（例: 120）。幅があるときは備考欄に書いてください。",
    ),
    "V003": Message(
        E,
        "「{value}」は単位が違います。この指標の単位は「{unit}」です。{unit}で数えた数値だけを入れてください。",
    ),
    "V004": Message(
        E,
        "「{value}」は数値として読めません。この指標には{unit}の数値だけを入れてください（例: 120）。文章は「実施内容・成果」欄に書いてください。",
    ),
    "V005": Message(E, "「{value}」は小数です。{unit}は整数で入れてください。"),
    "V006": Message(
        E,
        "「{value}」は上限 {maximum} を超えています。{unit}の値は 0〜{maximum} の範囲で入れてください。",
    ),
    "V007": Message(E, "「{value}」はマイナスの値です。0 以上の数値を入れてください。"),
    "V008": Message(
        E,
        "「{value}」を読み取れません。単位が「{unit}」の指標です。「1・120」のように、数値を「・」で区切って順に入れてください。",
    ),
    "V009": Message(E, "「{value}」は選べない値です。次のいずれかを入れてください: {allowed}。"),
    "V011": Message(
        E,
        "「{value}」は桁区切りの位置が正しくありません。カンマなしの数値を入れてください（例: 1234）。",
    ),
    "V012": Message(
        E, "日付として入力されています。セルの書式を標準にして、数値を入れ直してください。"
    ),
    "V013": Message(E, "「{value}」は計算エラーです。数式ではなく数値を入れてください。"),
    "V014": Message(
        E,
        "「{value}」は桁が多すぎます（15 桁まで）。{unit}で数えた数値を入れてください（例: 120）。",
    ),
    "V101": Message(F, "全角の文字を半角に直しました（「{value}」→「{normalised}」）。"),
    "V102": Message(F, "桁区切りのカンマを外して数値 {number} として読みました（「{value}」）。"),
    "V103": Message(F, "数値のあとの単位を外して {number} として読みました（「{value}」）。"),
    "V201": Message(
        W,
        "数値のあとの注記「{note}」は備考欄に書いてください。数値 {number} として受け付けました。",
    ),
}
