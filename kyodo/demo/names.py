"""Data tables of the demo city 桜ヶ丘市: every name part carries its reading.

Everything here is fictional except the names and codes of 群馬県, 前橋市 and
高崎市, which only give the demo believable neighbours. Each part is a pair
``(表記, カタカナの読み)`` so a generated name and its reading always match.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

Part = tuple[str, str]

CITY: Part = ("桜ヶ丘市", "サクラガオカシ")
CITY_CODE = "102997"
PREF_CODE = "100005"
MAEBASHI_CODE = "102016"
TAKASAKI_CODE = "102024"


class District(NamedTuple):
    """A 町名 with its postal code, centre and number of 丁目 (0: 番地 addressing)."""

    name: str
    kana: str
    postal: str
    lat: float
    lon: float
    chome: int


# 桜ヶ丘市 (fictional): centred on 36.35N 139.05E, all within ~5 km.
DISTRICTS: tuple[District, ...] = (
    District("本町", "ホンチョウ", "370-3601", 36.3505, 139.0498, 4),
    District("駅前", "エキマエ", "370-3602", 36.3478, 139.0531, 3),
    District("中央", "チュウオウ", "370-3603", 36.3521, 139.0462, 5),
    District("東町", "ヒガシマチ", "370-3604", 36.3512, 139.0605, 4),
    District("西町", "ニシマチ", "370-3605", 36.3498, 139.0381, 3),
    District("南町", "ミナミマチ", "370-3606", 36.3421, 139.0512, 3),
    District("北町", "キタマチ", "370-3607", 36.3593, 139.0489, 3),
    District("栄町", "サカエチョウ", "370-3608", 36.3462, 139.0569, 2),
    District("緑町", "ミドリチョウ", "370-3611", 36.3556, 139.0612, 3),
    District("若葉町", "ワカバチョウ", "370-3612", 36.3394, 139.0431, 2),
    District("旭町", "アサヒチョウ", "370-3613", 36.3572, 139.0395, 2),
    District("桜台", "サクラダイ", "370-3614", 36.3635, 139.0551, 4),
    District("青葉台", "アオバダイ", "370-3615", 36.3321, 139.0602, 3),
    District("富士見町", "フジミチョウ", "370-3616", 36.3648, 139.0423, 2),
    District("川原町", "カワラマチ", "370-3617", 36.3441, 139.0668, 2),
    District("松原", "マツバラ", "370-3621", 36.3351, 139.0355, 0),
    District("上野田", "カミノダ", "370-3622", 36.3762, 139.0318, 0),
    District("下野田", "シモノダ", "370-3623", 36.3701, 139.0264, 0),
    District("宮前", "ミヤマエ", "370-3624", 36.3582, 139.0702, 0),
    District("岩下", "イワシタ", "370-3625", 36.3812, 139.0455, 0),
    District("新田", "シンデン", "370-3626", 36.3265, 139.0485, 0),
    District("梅ノ木", "ウメノキ", "370-3627", 36.3895, 139.0612, 0),
    District("八幡", "ヤハタ", "370-3628", 36.3195, 139.0391, 0),
    District("城山", "シロヤマ", "370-3631", 36.3865, 139.0241, 0),
    District("日向", "ヒナタ", "370-3632", 36.3921, 139.0387, 0),
    District("泉沢", "イズミサワ", "370-3633", 36.3148, 139.0572, 0),
)

# Real neighbours (real 町名; 番地 are made up).
NEIGHBOURS: dict[str, tuple[Part, tuple[District, ...]]] = {
    MAEBASHI_CODE: (
        ("前橋市", "マエバシシ"),
        (
            District("千代田町", "チヨダマチ", "371-0022", 36.3905, 139.0655, 5),
            District("本町", "ホンマチ", "371-0023", 36.3877, 139.0700, 3),
            District("表町", "オモテチョウ", "371-0024", 36.3833, 139.0734, 2),
            District("日吉町", "ヒヨシチョウ", "371-0017", 36.3977, 139.0768, 4),
        ),
    ),
    TAKASAKI_CODE: (
        ("高崎市", "タカサキシ"),
        (
            District("高松町", "タカマツチョウ", "370-0829", 36.3228, 139.0036, 0),
            District("八島町", "ヤシマチョウ", "370-0849", 36.3226, 139.0127, 0),
            District("連雀町", "レンジャクチョウ", "370-0831", 36.3268, 139.0047, 0),
            District("問屋町", "トンヤマチ", "370-0006", 36.3553, 139.0186, 0),
        ),
    ),
}
PREF_OFFICE = ("群馬県前橋市大手町一丁目1番1号", "371-8570", 36.3907, 139.0609)

CHOME: tuple[Part, ...] = (
    ("一", "イッ"),
    ("二", "ニ"),
    ("三", "サン"),
    ("四", "ヨン"),
    ("五", "ゴ"),
)

FAMILY_NAMES: tuple[Part, ...] = (
    ("新井", "アライ"),
    ("佐藤", "サトウ"),
    ("高橋", "タカハシ"),
    ("小林", "コバヤシ"),
    ("鈴木", "スズキ"),
    ("田中", "タナカ"),
    ("萩原", "ハギワラ"),
    ("清水", "シミズ"),
    ("星野", "ホシノ"),
    ("関口", "セキグチ"),
    ("茂木", "モテギ"),
    ("須藤", "スドウ"),
    ("山田", "ヤマダ"),
    ("中島", "ナカジマ"),
    ("吉田", "ヨシダ"),
    ("松本", "マツモト"),
    ("金子", "カネコ"),
    ("斎藤", "サイトウ"),
    ("阿部", "アベ"),
    ("木村", "キムラ"),
    ("桑原", "クワバラ"),
    ("長谷川", "ハセガワ"),
    ("渡辺", "ワタナベ"),
    ("石川", "イシカワ"),
    ("井上", "イノウエ"),
    ("福田", "フクダ"),
    ("岡田", "オカダ"),
    ("片山", "カタヤマ"),
    ("大澤", "オオサワ"),
    ("根岸", "ネギシ"),
    ("堀越", "ホリコシ"),
    ("今井", "イマイ"),
)

GIVEN_NAMES: tuple[Part, ...] = (
    ("花子", "ハナコ"),
    ("太郎", "タロウ"),
    ("健一", "ケンイチ"),
    ("美香", "ミカ"),
    ("翔太", "ショウタ"),
    ("陽子", "ヨウコ"),
    ("誠", "マコト"),
    ("由美", "ユミ"),
    ("大輔", "ダイスケ"),
    ("恵子", "ケイコ"),
    ("拓也", "タクヤ"),
    ("直美", "ナオミ"),
    ("和夫", "カズオ"),
    ("幸子", "サチコ"),
    ("悠斗", "ユウト"),
    ("さくら", "サクラ"),
    ("美咲", "ミサキ"),
    ("浩二", "コウジ"),
    ("智子", "トモコ"),
    ("健太", "ケンタ"),
    ("裕子", "ユウコ"),
    ("隆", "タカシ"),
    ("明美", "アケミ"),
    ("修", "オサム"),
    ("千尋", "チヒロ"),
    ("亮", "リョウ"),
    ("真由美", "マユミ"),
    ("博之", "ヒロユキ"),
)

# Prefixes for civic and company names.
PLACES: tuple[Part, ...] = (
    ("桜ヶ丘", "サクラガオカ"),
    ("さくらがおか", "サクラガオカ"),
    ("さくら", "サクラ"),
    ("上毛", "ジョウモウ"),
    ("ぐんま", "グンマ"),
    ("上州", "ジョウシュウ"),
    ("赤城", "アカギ"),
    ("榛名", "ハルナ"),
    ("利根", "トネ"),
    ("烏川", "カラスガワ"),
)
NEIGHBOUR_PLACES: dict[str, Part] = {
    MAEBASHI_CODE: ("前橋", "マエバシ"),
    TAKASAKI_CODE: ("高崎", "タカサキ"),
}

NICKNAMES: tuple[Part, ...] = (
    ("ひだまり", "ヒダマリ"),
    ("なかよし", "ナカヨシ"),
    ("ひまわり", "ヒマワリ"),
    ("たんぽぽ", "タンポポ"),
    ("すずらん", "スズラン"),
    ("あおぞら", "アオゾラ"),
    ("こもれび", "コモレビ"),
    ("にじいろ", "ニジイロ"),
    ("ぽかぽか", "ポカポカ"),
    ("どんぐり", "ドングリ"),
    ("さくらんぼ", "サクランボ"),
    ("わかば", "ワカバ"),
)


class Topic(NamedTuple):
    """What a civic group works on: its NPO-style and group-style names, fields, activities."""

    npo: Part
    group: Part
    fields: tuple[str, ...]
    acts: tuple[str, ...]
    nickname_ok: bool = False


TOPICS: tuple[Topic, ...] = (
    Topic(
        ("フードバンク", "フードバンク"),
        ("フードドライブの会", "フードドライブノカイ"),
        ("health_welfare", "child_development"),
        ("フードドライブ", "生活困窮世帯への食品の配付", "こども食堂への食材提供"),
    ),
    Topic(
        ("こども食堂ネットワーク", "コドモショクドウネットワーク"),
        ("こども食堂", "コドモショクドウ"),
        ("child_development", "health_welfare"),
        ("こども食堂の運営", "子どもの学習支援", "季節の食事会"),
        True,
    ),
    Topic(
        ("子育て支援ネットワーク", "コソダテシエンネットワーク"),
        ("子育てサロン", "コソダテサロン"),
        ("child_development", "gender_equality"),
        ("子育てサロン", "乳幼児親子のひろば", "子どもの一時預かり"),
        True,
    ),
    Topic(
        ("学習支援センター", "ガクシュウシエンセンター"),
        ("子供の学習支援の会", "コドモノガクシュウシエンノカイ"),
        ("child_development", "social_education"),
        ("子供の学習支援", "不登校の子どもの居場所づくり", "高校受験の学習会"),
    ),
    Topic(
        ("高齢者サポートセンター", "コウレイシャサポートセンター"),
        ("見守り隊", "ミマモリタイ"),
        ("health_welfare", "community_safety"),
        ("高齢者の見守り", "安否確認の訪問", "配食サービス"),
    ),
    Topic(
        ("健康長寿ネット", "ケンコウチョウジュネット"),
        ("いきいき体操の会", "イキイキタイソウノカイ"),
        ("health_welfare", "culture_arts_sports"),
        ("介護予防体操", "通いの場づくり", "認知症カフェ"),
    ),
    Topic(
        ("認知症ケアネット", "ニンチショウケアネット"),
        ("オレンジカフェの会", "オレンジカフェノカイ"),
        ("health_welfare",),
        ("認知症カフェ", "家族介護者の交流会", "認知症サポーター養成講座"),
    ),
    Topic(
        ("障がい者就労支援センター", "ショウガイシャシュウロウシエンセンター"),
        ("ふれあい作業所を支える会", "フレアイサギョウショヲササエルカイ"),
        ("employment_support", "health_welfare"),
        ("障がいのある人の就労支援", "授産製品の販売会", "農福連携の畑づくり"),
    ),
    Topic(
        ("防災ネットワーク", "ボウサイネットワーク"),
        ("防災サークル", "ボウサイサークル"),
        ("disaster_relief", "community_safety"),
        ("防災訓練", "避難所運営訓練", "防災マップづくり"),
    ),
    Topic(
        ("地域安全ネット", "チイキアンゼンネット"),
        ("防犯パトロール隊", "ボウハンパトロールタイ"),
        ("community_safety", "child_development"),
        ("登下校の見守り", "夜間の防犯パトロール", "子ども110番の家の啓発"),
    ),
    Topic(
        ("空き家再生プロジェクト", "アキヤサイセイプロジェクト"),
        ("空き家を活かす会", "アキヤヲイカスカイ"),
        ("community_development", "economic_revitalization"),
        ("空き家の活用相談", "空き家バンクへの登録支援", "古民家の改修ワークショップ"),
    ),
    Topic(
        ("まちづくりネット", "マチヅクリネット"),
        ("まちづくりの会", "マチヅクリノカイ"),
        ("community_development", "economic_revitalization"),
        ("商店街のにぎわいづくり", "駅前マルシェ", "まち歩きワークショップ"),
    ),
    Topic(
        ("多文化共生センター", "タブンカキョウセイセンター"),
        ("にほんご教室", "ニホンゴキョウシツ"),
        ("international_cooperation", "human_rights_peace"),
        ("外国人住民の日本語教室", "多言語の生活相談", "やさしい日本語講座"),
        True,
    ),
    Topic(
        ("国際交流ネット", "コクサイコウリュウネット"),
        ("国際交流の会", "コクサイコウリュウノカイ"),
        ("international_cooperation", "culture_arts_sports"),
        ("多文化共生フェスタ", "留学生との交流会", "外国にルーツのある子どもの支援"),
    ),
    Topic(
        ("環境ネットワーク", "カンキョウネットワーク"),
        ("川をきれいにする会", "カワヲキレイニスルカイ"),
        ("environment",),
        ("河川清掃", "食品ロス削減の啓発", "生ごみ堆肥化講座"),
    ),
    Topic(
        ("里山保全センター", "サトヤマホゼンセンター"),
        ("里山保全の会", "サトヤマホゼンノカイ"),
        ("environment", "rural_development"),
        ("里山の下草刈り", "竹林の整備", "親子の自然観察会"),
    ),
    Topic(
        ("農業応援団", "ノウギョウオウエンダン"),
        ("援農クラブ", "エンノウクラブ"),
        ("rural_development", "employment_support"),
        ("耕作放棄地の再生", "援農ボランティア", "親子の農業体験"),
    ),
    Topic(
        ("観光まちづくり研究所", "カンコウマチヅクリケンキュウショ"),
        ("観光ボランティアガイドの会", "カンコウボランティアガイドノカイ"),
        ("tourism", "community_development"),
        ("まち歩きガイド", "歴史散策ツアー", "観光パンフレットづくり"),
    ),
    Topic(
        ("文化芸術フォーラム", "ブンカゲイジュツフォーラム"),
        ("郷土芸能保存会", "キョウドゲイノウホゾンカイ"),
        ("culture_arts_sports",),
        ("地域の音楽祭", "郷土芸能の継承", "子ども向けの演劇ワークショップ"),
    ),
    Topic(
        ("スポーツクラブ", "スポーツクラブ"),
        ("ウォーキングの会", "ウォーキングノカイ"),
        ("culture_arts_sports", "health_welfare"),
        ("子ども向けスポーツ教室", "ウォーキング大会", "障がい者スポーツの体験会"),
    ),
    Topic(
        ("ITサポートネット", "アイティーサポートネット"),
        ("スマホお助け隊", "スマホオタスケタイ"),
        ("information_society",),
        ("高齢者向けスマホ教室", "団体のホームページ作成支援", "オンライン会議の導入支援"),
    ),
    Topic(
        ("こどもテック", "コドモテック"),
        ("こどもプログラミングクラブ", "コドモプログラミングクラブ"),
        ("information_society", "science_technology", "child_development"),
        ("プログラミング教室", "ロボット工作", "子供向けのものづくり教室"),
    ),
    Topic(
        ("科学教育推進会", "カガクキョウイクスイシンカイ"),
        ("科学あそびの会", "カガクアソビノカイ"),
        ("science_technology", "child_development"),
        ("科学実験教室", "星空観察会", "夏休みの自由研究相談"),
    ),
    Topic(
        ("男女共同参画フォーラム", "ダンジョキョウドウサンカクフォーラム"),
        ("女性の就労を応援する会", "ジョセイノシュウロウヲオウエンスルカイ"),
        ("gender_equality", "employment_support"),
        ("女性の再就職支援セミナー", "父親の育児参加講座", "DV相談窓口の周知"),
    ),
    Topic(
        ("若者就労支援ネット", "ワカモノシュウロウシエンネット"),
        ("若者の居場所の会", "ワカモノノイバショノカイ"),
        ("employment_support", "child_development"),
        ("若者の就労相談", "職場体験の受け入れ調整", "ひきこもり当事者の居場所"),
    ),
    Topic(
        ("消費者ネット", "ショウヒシャネット"),
        ("消費者の会", "ショウヒシャノカイ"),
        ("consumer_protection",),
        ("悪質商法の出前講座", "消費生活の学習会", "特殊詐欺の被害防止"),
    ),
    Topic(
        ("人権と平和のネットワーク", "ジンケントヘイワノネットワーク"),
        ("平和を考える会", "ヘイワヲカンガエルカイ"),
        ("human_rights_peace",),
        ("平和パネル展", "人権講座", "戦争体験の聞き取り"),
    ),
    Topic(
        ("移動支援サービス", "イドウシエンサービス"),
        ("買い物送迎ボランティア", "カイモノソウゲイボランティア"),
        ("health_welfare", "community_development"),
        ("買い物支援の送迎", "通院の付き添い", "移動販売の誘致"),
    ),
    Topic(
        ("居場所づくりネット", "イバショヅクリネット"),
        ("ふれあいサロン", "フレアイサロン"),
        ("health_welfare", "community_development"),
        ("地域の居場所づくり", "高齢者のふれあいサロン", "多世代交流カフェ"),
        True,
    ),
    Topic(
        ("読書推進ネット", "ドクショスイシンネット"),
        ("おはなし会", "オハナシカイ"),
        ("social_education", "child_development"),
        ("絵本の読み聞かせ", "紙芝居の上演", "図書館での読書会"),
        True,
    ),
    Topic(
        ("災害支援ネットワーク", "サイガイシエンネットワーク"),
        ("災害ボランティアの会", "サイガイボランティアノカイ"),
        ("disaster_relief",),
        ("災害ボランティアセンターの運営訓練", "支援物資の仕分け", "非常食の備蓄講座"),
    ),
    Topic(
        ("花と緑のまちづくり", "ハナトミドリノマチヅクリ"),
        ("花と緑の会", "ハナトミドリノカイ"),
        ("environment", "community_development"),
        ("花壇づくり", "公園の緑化", "花いっぱい運動"),
    ),
)


class Flavour(NamedTuple):
    """What a company's line of business lets it offer."""

    industry: str
    goods: str
    skill: str
    venue: str
    acts: tuple[str, ...]
    fields: tuple[str, ...]


FLAVOURS: dict[str, Flavour] = {
    "energy": Flavour(
        "エネルギー事業者",
        "防災用の発電機とカセットボンベ",
        "省エネ診断",
        "ショールームの多目的スペース",
        ("ガスの安全講座", "省エネ教室", "防災フェア"),
        ("environment", "disaster_relief"),
    ),
    "construction": Flavour(
        "建設会社",
        "土のう・ブルーシートなどの防災資機材",
        "建物の耐震・改修相談",
        "資材置き場と駐車場",
        ("空き家の改修", "公園の遊具点検", "防災訓練"),
        ("community_development", "disaster_relief"),
    ),
    "manufacturing": Flavour(
        "製造業",
        "自社製品と工場の端材",
        "ものづくりの技術指導",
        "工場見学スペース",
        ("子供向けのものづくり教室", "工場見学", "環境学習"),
        ("science_technology", "child_development"),
    ),
    "it": Flavour(
        "IT企業",
        "リユースパソコン",
        "ホームページ制作とIT導入の支援",
        "コワーキングスペース",
        ("プログラミング教室", "高齢者向けスマホ教室", "団体のデジタル化支援"),
        ("information_society", "science_technology"),
    ),
    "printing": Flavour(
        "印刷会社",
        "チラシ・ポスターの印刷",
        "チラシとポスターのデザイン",
        "ギャラリースペース",
        ("広報物づくり講座", "地域情報誌の発行", "子ども新聞づくり"),
        ("community_development", "information_society"),
    ),
    "food": Flavour(
        "食品メーカー",
        "賞味期限の近い自社製品",
        "食品衛生と調理の指導",
        "社員食堂の調理室",
        ("フードドライブ", "こども食堂への食材提供", "食育教室"),
        ("health_welfare", "child_development"),
    ),
    "realestate": Flavour(
        "不動産会社",
        "事務用の机・椅子などの備品",
        "空き家の活用と賃貸の相談",
        "空き店舗",
        ("空き家の活用", "商店街の空き店舗活用", "移住相談"),
        ("community_development", "economic_revitalization"),
    ),
    "transport": Flavour(
        "運輸会社",
        "段ボールなどの梱包資材",
        "物流・配送計画の助言",
        "倉庫の一角",
        ("買い物支援の送迎", "支援物資の輸送", "交通安全教室"),
        ("community_safety", "disaster_relief"),
    ),
    "media": Flavour(
        "地域メディア",
        "番組・紙面の告知枠",
        "取材・記事づくりの助言",
        "スタジオ",
        ("地域イベントの紹介", "防災情報の発信", "市民記者講座"),
        ("community_development", "information_society"),
    ),
    "retail": Flavour(
        "小売業",
        "日用品と店頭のフードドライブ回収箱",
        "売り場づくり・販促の助言",
        "店頭のイベントスペース",
        ("フードドライブ", "高齢者の見守り", "移動販売"),
        ("health_welfare", "consumer_protection"),
    ),
    "finance": Flavour(
        "金融機関",
        "使わなくなった事務机と椅子",
        "事業計画と資金調達の相談",
        "ロビーの展示スペース",
        ("金融教育の出前授業", "創業支援", "特殊詐欺の被害防止"),
        ("economic_revitalization", "consumer_protection"),
    ),
    "tax": Flavour(
        "会計事務所",
        "会計ソフトの使い方資料",
        "NPO・自治会の会計と税務の相談",
        "事務所の会議室",
        ("NPO法人の会計講座", "自治会の会計監査", "創業支援"),
        ("civil_society_support", "economic_revitalization"),
    ),
    "law": Flavour(
        "法律事務所",
        "契約書のひな形",
        "NPO・自治会向けの法律相談",
        "事務所の会議室",
        ("消費者トラブルの相談会", "成年後見制度の説明会", "空き家の相続相談"),
        ("human_rights_peace", "consumer_protection"),
    ),
    "care": Flavour(
        "介護事業者",
        "車いす・介護用品",
        "介護技術の指導",
        "デイサービスの交流スペース",
        ("認知症カフェ", "介護予防体操", "高齢者の見守り"),
        ("health_welfare",),
    ),
    "hotel": Flavour(
        "ホテル",
        "宴会用の備品",
        "接客・おもてなし研修",
        "宴会場と会議室",
        ("多文化共生フェスタ", "観光ガイドの育成", "地域の食のイベント"),
        ("tourism", "economic_revitalization"),
    ),
    "agri": Flavour(
        "農業法人",
        "規格外の野菜と米",
        "農業技術の指導",
        "体験農園",
        ("親子の農業体験", "こども食堂への食材提供", "耕作放棄地の再生"),
        ("rural_development", "child_development"),
    ),
}

BUSINESSES: tuple[tuple[str, str, str], ...] = (
    ("ガス", "ガス", "energy"),
    ("電力サービス", "デンリョクサービス", "energy"),
    ("建設", "ケンセツ", "construction"),
    ("土木", "ドボク", "construction"),
    ("電機", "デンキ", "manufacturing"),
    ("精機", "セイキ", "manufacturing"),
    ("化成", "カセイ", "manufacturing"),
    ("システムズ", "システムズ", "it"),
    ("ソフトウェア", "ソフトウェア", "it"),
    ("情報サービス", "ジョウホウサービス", "it"),
    ("印刷", "インサツ", "printing"),
    ("デザイン", "デザイン", "printing"),
    ("食品", "ショクヒン", "food"),
    ("製菓", "セイカ", "food"),
    ("酒造", "シュゾウ", "food"),
    ("製パン", "セイパン", "food"),
    ("不動産", "フドウサン", "realestate"),
    ("住宅", "ジュウタク", "realestate"),
    ("運輸", "ウンユ", "transport"),
    ("交通", "コウツウ", "transport"),
    ("タクシー", "タクシー", "transport"),
    ("ケーブルテレビ", "ケーブルテレビ", "media"),
    ("新聞社", "シンブンシャ", "media"),
    ("エフエム放送", "エフエムホウソウ", "media"),
    ("ストア", "ストア", "retail"),
    ("ドラッグ", "ドラッグ", "retail"),
    ("商事", "ショウジ", "retail"),
    ("ケアサービス", "ケアサービス", "care"),
    ("福祉サービス", "フクシサービス", "care"),
    ("ホテル", "ホテル", "hotel"),
    ("農園", "ノウエン", "agri"),
    ("ファーム", "ファーム", "agri"),
)
FAMILY_BUSINESSES: tuple[tuple[str, str, str], ...] = (
    ("工務店", "コウムテン", "construction"),
    ("商店", "ショウテン", "retail"),
    ("製作所", "セイサクショ", "manufacturing"),
    ("印刷所", "インサツジョ", "printing"),
    ("造園", "ゾウエン", "construction"),
    ("電気工事", "デンキコウジ", "construction"),
    ("青果", "セイカ", "agri"),
)
COMPANY_PLACES: tuple[Part, ...] = (
    *PLACES[:1],
    *PLACES[2:],
    ("サクラ", "サクラ"),
    ("ヒカリ", "ヒカリ"),
)
LEGAL_FORMS: tuple[Part, ...] = (
    ("株式会社", "カブシキガイシャ"),
    ("有限会社", "ユウゲンガイシャ"),
    ("合同会社", "ゴウドウガイシャ"),
)
# (name, reading without the legal form, flavour): organisations that are not 株式会社.
SPECIAL_COMPANIES: tuple[tuple[str, str, str], ...] = (
    ("株式会社桜ヶ丘ガス", "サクラガオカガス", "energy"),
    ("桜ヶ丘信用金庫", "サクラガオカシンヨウキンコ", "finance"),
    ("さくら生活協同組合", "サクラセイカツキョウドウクミアイ", "retail"),
    ("税理士法人さくら会計", "サクラカイケイ", "tax"),
    ("弁護士法人桜ヶ丘中央法律事務所", "サクラガオカチュウオウホウリツジムショ", "law"),
    ("株式会社上毛銀行", "ジョウモウギンコウ", "finance"),
    ("桜ヶ丘農業協同組合", "サクラガオカノウギョウキョウドウクミアイ", "agri"),
)

# (department, reading, fields, activities, grant programme or "")
CITY_DEPARTMENTS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...], str], ...] = (
    (
        "市民協働推進課",
        "シミンキョウドウスイシンカ",
        ("civil_society_support", "community_development"),
        ("市民協働事業提案制度", "市民活動団体の登録", "協働のまちづくり講座"),
        "市民協働事業補助金",
    ),
    (
        "地域福祉課",
        "チイキフクシカ",
        ("health_welfare",),
        ("地域の見守りネットワーク", "民生委員との連携", "生活困窮者の自立支援"),
        "地域福祉活動補助金",
    ),
    (
        "こども未来課",
        "コドモミライカ",
        ("child_development",),
        ("こども食堂の立ち上げ支援", "子育てサロンの運営支援", "放課後の子供の居場所づくり"),
        "こども食堂運営費補助金",
    ),
    (
        "長寿介護課",
        "チョウジュカイゴカ",
        ("health_welfare",),
        ("介護予防の通いの場", "認知症サポーター養成講座", "高齢者の見守り"),
        "通いの場づくり補助金",
    ),
    (
        "危機管理課",
        "キキカンリカ",
        ("disaster_relief", "community_safety"),
        ("自主防災組織の育成", "防災訓練", "防災マップづくり"),
        "自主防災組織資機材整備補助金",
    ),
    (
        "環境政策課",
        "カンキョウセイサクカ",
        ("environment",),
        ("食品ロス削減", "河川清掃", "ごみの分別講座"),
        "環境保全活動補助金",
    ),
    (
        "商工観光課",
        "ショウコウカンコウカ",
        ("economic_revitalization", "tourism"),
        ("商店街の活性化", "創業支援", "観光イベント"),
        "商店街にぎわい創出補助金",
    ),
    (
        "農政課",
        "ノウセイカ",
        ("rural_development",),
        ("耕作放棄地の再生", "地産地消の推進", "親子の農業体験"),
        "",
    ),
    (
        "生涯学習課",
        "ショウガイガクシュウカ",
        ("social_education", "culture_arts_sports"),
        ("公民館講座", "市民大学", "読書活動の推進"),
        "",
    ),
    (
        "都市計画課",
        "トシケイカクカ",
        ("community_development",),
        ("空き家対策", "空き家バンク", "公園の愛護活動"),
        "空き家活用リノベーション補助金",
    ),
    (
        "多文化共生推進室",
        "タブンカキョウセイスイシンシツ",
        ("international_cooperation",),
        ("外国人住民の生活相談", "やさしい日本語の普及", "多文化共生フェスタ"),
        "多文化共生推進事業助成",
    ),
    (
        "広報広聴課",
        "コウホウコウチョウカ",
        ("community_development", "information_society"),
        ("広報さくらがおかの発行", "市公式LINEの運用", "市民の声の受付"),
        "",
    ),
    (
        "人権男女共同参画課",
        "ジンケンダンジョキョウドウサンカクカ",
        ("gender_equality", "human_rights_peace"),
        ("男女共同参画セミナー", "人権啓発", "DV相談"),
        "",
    ),
    (
        "スポーツ振興課",
        "スポーツシンコウカ",
        ("culture_arts_sports",),
        ("市民マラソン大会", "スポーツ少年団の支援", "障がい者スポーツの普及"),
        "",
    ),
    (
        "デジタル推進課",
        "デジタルスイシンカ",
        ("information_society",),
        ("高齢者向けスマホ教室", "行政手続きのオンライン化", "地域のデジタル人材育成"),
        "",
    ),
)
EDUCATION_BOARD = (
    "教育委員会 学校教育課",
    "キョウイクイインカイ ガッコウキョウイクカ",
    ("child_development", "social_education"),
    ("学校支援ボランティア", "放課後子ども教室", "部活動の地域移行"),
    "",
)
PREF_DEPARTMENTS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...], str], ...] = (
    (
        "県民活動支援課",
        "ケンミンカツドウシエンカ",
        ("civil_society_support",),
        ("NPO法人の認証", "県民活動の普及", "協働のマッチング"),
        "ぐんま地域づくり協働助成",
    ),
    (
        "こども・子育て支援課",
        "コドモ・コソダテシエンカ",
        ("child_development",),
        ("子どもの居場所づくり", "子育て支援の人材育成", "ヤングケアラーの支援"),
        "子どもの居場所づくり補助金",
    ),
    (
        "危機管理課",
        "キキカンリカ",
        ("disaster_relief",),
        ("災害ボランティアの受け入れ体制づくり", "防災訓練", "避難所運営の研修"),
        "",
    ),
    (
        "多文化共生推進課",
        "タブンカキョウセイスイシンカ",
        ("international_cooperation",),
        ("外国人県民の相談窓口", "やさしい日本語の普及", "多文化共生フェスタ"),
        "",
    ),
    (
        "地域創生課",
        "チイキソウセイカ",
        ("community_development", "rural_development"),
        ("移住定住の促進", "中山間地域の振興", "関係人口づくり"),
        "地域づくり活動応援補助金",
    ),
)

# (name, reading, municipality, units (unit, reading, fields, activities))
UNIVERSITIES: tuple[
    tuple[str, str, str, tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...]], ...
] = (
    (
        "上毛学園大学",
        "ジョウモウガクエンダイガク",
        CITY_CODE,
        (
            (
                "地域連携センター",
                "チイキレンケイセンター",
                ("community_development", "social_education"),
                ("地域課題のフィールドワーク", "空き家の調査研究", "市民公開講座"),
            ),
            (
                "ボランティアセンター",
                "ボランティアセンター",
                ("civil_society_support", "child_development"),
                ("学生ボランティアの派遣", "子どもの学習支援", "災害ボランティア"),
            ),
        ),
    ),
    (
        "桜ヶ丘短期大学",
        "サクラガオカタンキダイガク",
        CITY_CODE,
        (
            (
                "幼児教育学科",
                "ヨウジキョウイクガッカ",
                ("child_development", "social_education"),
                ("子育てサロンの運営協力", "絵本の読み聞かせ", "親子のあそび教室"),
            ),
        ),
    ),
    (
        "赤城看護大学",
        "アカギカンゴダイガク",
        MAEBASHI_CODE,
        (
            (
                "地域看護学研究室",
                "チイキカンゴガクケンキュウシツ",
                ("health_welfare",),
                ("高齢者の健康相談", "認知症カフェの運営協力", "救命講習"),
            ),
        ),
    ),
    (
        "利根工科大学",
        "トネコウカダイガク",
        CITY_CODE,
        (
            (
                "地域共創ラボ",
                "チイキキョウソウラボ",
                ("science_technology", "information_society"),
                ("プログラミング教室", "ロボット工作教室", "地域データの分析"),
            ),
            (
                "環境工学研究室",
                "カンキョウコウガクケンキュウシツ",
                ("environment", "science_technology"),
                ("河川の水質調査", "再生可能エネルギーの研究", "環境学習"),
            ),
        ),
    ),
    (
        "上州国際大学",
        "ジョウシュウコクサイダイガク",
        TAKASAKI_CODE,
        (
            (
                "国際交流センター",
                "コクサイコウリュウセンター",
                ("international_cooperation",),
                ("留学生との交流会", "やさしい日本語講座", "多文化共生の調査研究"),
            ),
        ),
    ),
)

# (name, reading, has corporate number, municipality, fields, activities)
SCHOOLS: tuple[tuple[str, str, bool, str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "県立桜ヶ丘高等学校",
        "ケンリツサクラガオカコウトウガッコウ",
        False,
        CITY_CODE,
        ("child_development", "social_education"),
        ("高校生ボランティア", "探究学習", "地域清掃"),
    ),
    (
        "県立桜ヶ丘東高等学校",
        "ケンリツサクラガオカヒガシコウトウガッコウ",
        False,
        CITY_CODE,
        ("child_development", "culture_arts_sports"),
        ("部活動の地域交流", "防災学習", "探究学習"),
    ),
    (
        "県立桜ヶ丘農業高等学校",
        "ケンリツサクラガオカノウギョウコウトウガッコウ",
        False,
        CITY_CODE,
        ("rural_development", "environment"),
        ("農産物の販売実習", "親子の農業体験", "花壇づくり"),
    ),
    (
        "桜ヶ丘学院高等学校",
        "サクラガオカガクインコウトウガッコウ",
        True,
        CITY_CODE,
        ("child_development", "international_cooperation"),
        ("高校生ボランティア", "国際交流", "探究学習"),
    ),
    (
        "上毛情報ビジネス専門学校",
        "ジョウモウジョウホウビジネスセンモンガッコウ",
        True,
        MAEBASHI_CODE,
        ("information_society", "employment_support"),
        ("プログラミング教室", "高齢者向けスマホ教室", "ホームページ制作実習"),
    ),
    (
        "桜ヶ丘調理製菓専門学校",
        "サクラガオカチョウリセイカセンモンガッコウ",
        True,
        CITY_CODE,
        ("health_welfare", "child_development"),
        ("食育教室", "こども食堂の献立づくり", "地域の食のイベント"),
    ),
    (
        "上州医療福祉専門学校",
        "ジョウシュウイリョウフクシセンモンガッコウ",
        True,
        TAKASAKI_CODE,
        ("health_welfare",),
        ("介護予防体操", "高齢者の見守り", "福祉体験学習"),
    ),
    (
        "桜ヶ丘デザイン専門学校",
        "サクラガオカデザインセンモンガッコウ",
        True,
        CITY_CODE,
        ("culture_arts_sports", "information_society"),
        ("チラシのデザイン実習", "商店街のアート展", "子ども向けのものづくり教室"),
    ),
    (
        "桜ヶ丘日本語学校",
        "サクラガオカニホンゴガッコウ",
        True,
        CITY_CODE,
        ("international_cooperation",),
        ("日本語教室", "留学生との交流会", "多文化共生フェスタ"),
    ),
    (
        "上毛自動車整備専門学校",
        "ジョウモウジドウシャセイビセンモンガッコウ",
        True,
        CITY_CODE,
        ("science_technology", "employment_support"),
        ("車いすの点検", "交通安全教室", "ものづくり体験"),
    ),
    (
        "赤城看護専門学校",
        "アカギカンゴセンモンガッコウ",
        True,
        MAEBASHI_CODE,
        ("health_welfare",),
        ("健康相談", "救命講習", "高齢者の見守り"),
    ),
)

# (legal form, core name, reading, fields, activities, is a grant-making foundation)
PUBLIC_INTEREST: tuple[tuple[str, str, str, tuple[str, ...], tuple[str, ...], bool], ...] = (
    (
        "公益財団法人",
        "桜ヶ丘市国際交流協会",
        "サクラガオカシコクサイコウリュウキョウカイ",
        ("international_cooperation",),
        ("外国人住民の日本語教室", "多文化共生フェスタ", "災害時の多言語支援"),
        False,
    ),
    (
        "公益社団法人",
        "桜ヶ丘市シルバー人材センター",
        "サクラガオカシシルバージンザイセンター",
        ("employment_support", "health_welfare"),
        ("高齢者の就業支援", "空き家の草刈り", "子育て支援の手伝い"),
        False,
    ),
    (
        "公益財団法人",
        "上毛地域福祉財団",
        "ジョウモウチイキフクシザイダン",
        ("health_welfare",),
        ("地域福祉活動への助成", "福祉人材の育成", "高齢者の見守り"),
        True,
    ),
    (
        "公益財団法人",
        "ぐんま子ども未来基金",
        "グンマコドモミライキキン",
        ("child_development",),
        ("子どもの居場所づくりへの助成", "こども食堂の支援", "奨学金"),
        True,
    ),
    (
        "公益財団法人",
        "桜ヶ丘みどり財団",
        "サクラガオカミドリザイダン",
        ("environment",),
        ("緑化活動への助成", "公園の緑化", "里山保全"),
        True,
    ),
    (
        "公益財団法人",
        "上州文化振興財団",
        "ジョウシュウブンカシンコウザイダン",
        ("culture_arts_sports",),
        ("文化活動への助成", "地域の音楽祭", "郷土芸能の継承"),
        True,
    ),
    (
        "公益社団法人",
        "桜ヶ丘青年会議所",
        "サクラガオカセイネンカイギショ",
        ("community_development", "child_development"),
        ("わんぱく相撲大会", "まちづくり提言", "防災フェア"),
        False,
    ),
    (
        "公益財団法人",
        "利根川水と緑の基金",
        "トネガワミズトミドリノキキン",
        ("environment", "disaster_relief"),
        ("河川清掃への助成", "水辺の自然観察会", "防災学習"),
        True,
    ),
    (
        "公益財団法人",
        "桜ヶ丘市スポーツ協会",
        "サクラガオカシスポーツキョウカイ",
        ("culture_arts_sports",),
        ("市民マラソン大会", "子ども向けスポーツ教室", "障がい者スポーツの体験会"),
        False,
    ),
)
FOUNDATION_THEMES: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("地域福祉基金", "チイキフクシキキン", ("health_welfare",), "地域福祉活動"),
    ("子ども未来財団", "コドモミライザイダン", ("child_development",), "子どもの居場所づくり"),
    ("文化振興財団", "ブンカシンコウザイダン", ("culture_arts_sports",), "文化芸術活動"),
    ("環境保全基金", "カンキョウホゼンキキン", ("environment",), "環境保全活動"),
    ("まちづくり財団", "マチヅクリザイダン", ("community_development",), "まちづくり活動"),
)

# (legal form or "", core name, reading, fields, activities)
GENERAL_FIXED: tuple[tuple[str, str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "",
        "桜ヶ丘駅前商店街振興組合",
        "サクラガオカエキマエショウテンガイシンコウクミアイ",
        ("economic_revitalization", "community_development"),
        ("駅前マルシェ", "商店街の夏祭り", "空き店舗の活用"),
    ),
    (
        "",
        "桜ヶ丘商工会議所",
        "サクラガオカショウコウカイギショ",
        ("economic_revitalization", "employment_support"),
        ("創業支援セミナー", "事業承継の相談", "地域企業の合同就職説明会"),
    ),
    (
        "一般社団法人",
        "桜ヶ丘市観光協会",
        "サクラガオカシカンコウキョウカイ",
        ("tourism", "economic_revitalization"),
        ("さくらまつり", "観光ボランティアガイドの育成", "観光パンフレットづくり"),
    ),
    (
        "一般財団法人",
        "桜ヶ丘市文化振興財団",
        "サクラガオカシブンカシンコウザイダン",
        ("culture_arts_sports",),
        ("市民文化祭", "子ども向けの演劇ワークショップ", "地域の音楽祭"),
    ),
)
GENERAL_TOPICS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "防災士会",
        "ボウサイシカイ",
        ("disaster_relief", "community_safety"),
        ("防災訓練の指導", "防災マップづくり", "避難所運営訓練"),
    ),
    (
        "空き家活用推進協会",
        "アキヤカツヨウスイシンキョウカイ",
        ("community_development",),
        ("空き家の活用相談", "空き家バンクへの登録支援", "古民家の改修ワークショップ"),
    ),
    (
        "食育推進協会",
        "ショクイクスイシンキョウカイ",
        ("health_welfare", "child_development"),
        ("食育教室", "こども食堂の献立づくり", "地産地消の料理教室"),
    ),
    (
        "地域デザイン研究所",
        "チイキデザインケンキュウショ",
        ("community_development", "civil_society_support"),
        ("まち歩きワークショップ", "住民アンケートの設計", "地域の将来ビジョンづくり"),
    ),
    (
        "移住定住支援センター",
        "イジュウテイジュウシエンセンター",
        ("community_development", "rural_development"),
        ("移住相談", "お試し住宅の運営", "空き家バンクへの登録支援"),
    ),
    (
        "社会福祉士会",
        "シャカイフクシシカイ",
        ("health_welfare", "human_rights_peace"),
        ("成年後見制度の相談", "福祉の出前講座", "ヤングケアラーの支援"),
    ),
    (
        "子ども未来ラボ",
        "コドモミライラボ",
        ("child_development", "science_technology"),
        ("子供向けのものづくり教室", "プログラミング教室", "キャリア教育の出前授業"),
    ),
    (
        "スポーツコミッション",
        "スポーツコミッション",
        ("culture_arts_sports", "tourism"),
        ("スポーツ大会の誘致", "ウォーキング大会", "障がい者スポーツの体験会"),
    ),
    (
        "地域活性化機構",
        "チイキカッセイカキコウ",
        ("economic_revitalization", "community_development"),
        ("駅前マルシェ", "商店街のにぎわいづくり", "創業支援"),
    ),
)

EVENTS: tuple[str, ...] = (
    "夏祭り",
    "防災フェア",
    "多文化共生フェスタ",
    "環境フェア",
    "こどもまつり",
    "駅前マルシェ",
    "福祉まつり",
    "ボランティアフェスティバル",
    "さくらまつり",
)
NA_ACTS: tuple[str, ...] = (
    "防災訓練",
    "夏祭り",
    "地域の清掃活動",
    "高齢者の見守り",
    "子ども会の行事",
    "防犯パトロール",
    "ごみ集積所の管理",
    "敬老会",
)


@dataclass
class Spec:
    """An organisation before it becomes a payload."""

    kind: str
    name: str
    kana: str
    slug_kana: str
    fields: tuple[str, ...]
    acts: tuple[str, ...]
    muni: str = CITY_CODE
    corporate: bool = False
    district: District | None = None
    flavour: str = ""
    foundation: bool = False
    programme: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


# --- candidates per kind: fixed anchors first, then shuffled combinations ---


def _place(rng: random.Random) -> tuple[str, Part, District | None]:
    """A municipality, a name prefix and a district: mostly 桜ヶ丘市, some neighbours."""
    if rng.random() < 0.15:
        code = rng.choice([MAEBASHI_CODE, TAKASAKI_CODE])
        return code, NEIGHBOUR_PLACES[code], None
    if rng.random() < 0.3:
        d = rng.choice(DISTRICTS)
        return CITY_CODE, (d.name, d.kana), d
    return CITY_CODE, rng.choice(PLACES), None


def _civic(kind: str, rng: random.Random) -> Iterator[Spec]:
    if kind == "npo_corporation":
        yield Spec(
            kind,
            "特定非営利活動法人 さくらがおかフードバンク",
            "サクラガオカフードバンク",
            "サクラガオカフードバンク",
            TOPICS[0].fields,
            TOPICS[0].acts,
            corporate=True,
            district=DISTRICTS[0],
        )
    while True:
        topic = rng.choice(TOPICS)
        code, place, district = _place(rng)
        if kind == "npo_corporation":
            core = (place[0] + topic.npo[0], place[1] + topic.npo[1])
            name = "特定非営利活動法人 " + core[0]
        elif topic.nickname_ok and rng.random() < 0.5:
            nick = rng.choice(NICKNAMES)
            core = (f"{topic.group[0]} {nick[0]}", f"{topic.group[1]} {nick[1]}")
            name = core[0]
        else:
            core = (place[0] + topic.group[0], place[1] + topic.group[1])
            name = core[0]
        yield Spec(
            kind,
            name,
            core[1],
            core[1],
            topic.fields,
            topic.acts,
            muni=code,
            corporate=kind == "npo_corporation",
            district=district,
        )


def _neighbourhood(rng: random.Random) -> Iterator[Spec]:
    east = DISTRICTS[3]
    yield Spec(
        "neighbourhood_association",
        "東町二丁目自治会",
        "ヒガシマチニチョウメジチカイ",
        "ヒガシマチニチョウメ",
        ("community_development", "community_safety"),
        NA_ACTS,
        district=east,
        extra={"chome": 2},
    )
    options = []
    for d in DISTRICTS:
        fields = ("community_development", "community_safety", "disaster_relief")
        for i in range(d.chome):
            ch = CHOME[i]
            name, kana = f"{d.name}{ch[0]}丁目", f"{d.kana}{ch[1]}チョウメ"
            suffix = (
                ("自治会", "ジチカイ") if i % 2 or d.chome < 3 else ("町内会", "チョウナイカイ")
            )
            options.append((name + suffix[0], kana + suffix[1], kana, d, i + 1, fields))
        options.append(
            (
                f"{d.name}地区コミュニティ協議会",
                f"{d.kana}チクコミュニティキョウギカイ",
                d.kana,
                d,
                0,
                fields,
            )
        )
        if not d.chome:
            for side, side_kana in (
                ("東", "ヒガシ"),
                ("西", "ニシ"),
                ("上", "カミ"),
                ("下", "シモ"),
            ):
                options.append(
                    (
                        f"{d.name}{side}区自治会",
                        f"{d.kana}{side_kana}クジチカイ",
                        d.kana + side_kana,
                        d,
                        0,
                        fields,
                    )
                )
    for d in DISTRICTS[11:14]:
        options.append(
            (f"{d.name}団地自治会", f"{d.kana}ダンチジチカイ", d.kana + "ダンチ", d, 0, fields)
        )
    rng.shuffle(options)
    for name, kana, slug, d, chome, fields in options:
        fields = tuple(rng.sample(fields, rng.randint(1, 3)))
        yield Spec(
            "neighbourhood_association",
            name,
            kana,
            slug,
            fields,
            NA_ACTS,
            district=d,
            extra={"chome": chome},
        )


def _companies(rng: random.Random) -> Iterator[Spec]:
    for name, kana, flav in SPECIAL_COMPANIES:
        yield Spec(
            "company",
            name,
            kana,
            kana,
            FLAVOURS[flav].fields,
            FLAVOURS[flav].acts,
            corporate=True,
            flavour=flav,
        )
    cores = {name.removeprefix("株式会社") for name, _, _ in SPECIAL_COMPANIES}
    while True:
        code, _, district = _place(rng)
        if rng.random() < 0.35:
            prefix = rng.choice(FAMILY_NAMES)
            biz = rng.choice(FAMILY_BUSINESSES)
        else:
            prefix = rng.choice(COMPANY_PLACES)
            if code != CITY_CODE and rng.random() < 0.5:
                prefix = NEIGHBOUR_PLACES[code]
            biz = rng.choice(BUSINESSES)
        legal = LEGAL_FORMS[0] if rng.random() < 0.7 else rng.choice(LEGAL_FORMS[1:])
        core, kana = prefix[0] + biz[0], prefix[1] + biz[1]
        if core in cores and rng.random() < 0.95:
            continue  # mostly one company per core name (never loop forever when they run out)
        cores.add(core)
        name = legal[0] + core if rng.random() < 0.6 else core + legal[0]
        flav = FLAVOURS[biz[2]]
        yield Spec(
            "company",
            name,
            kana,
            kana,
            flav.fields,
            flav.acts,
            muni=code,
            corporate=True,
            district=district,
            flavour=biz[2],
        )


def _general(rng: random.Random) -> Iterator[Spec]:
    for legal, core, kana, fields, acts in GENERAL_FIXED:
        name = f"{legal} {core}" if legal else core
        yield Spec(
            "general_incorporated",
            name,
            kana,
            kana,
            fields,
            acts,
            corporate=True,
            foundation=legal == "一般財団法人",
            programme="文化芸術活動",
        )
    for d in DISTRICTS[:9]:
        if d.name != "駅前" and rng.random() < 0.5:
            yield Spec(
                "general_incorporated",
                f"{d.name}商店街振興組合",
                f"{d.kana}ショウテンガイシンコウクミアイ",
                d.kana + "ショウテンガイ",
                ("economic_revitalization", "community_development"),
                ("商店街のにぎわいづくり", "夏祭り", "空き店舗の活用"),
                corporate=True,
                district=d,
            )
    while True:
        code, place, district = _place(rng)
        core, kana, fields, acts = rng.choice(GENERAL_TOPICS)
        yield Spec(
            "general_incorporated",
            f"一般社団法人 {place[0]}{core}",
            place[1] + kana,
            place[1] + kana,
            fields,
            acts,
            muni=code,
            corporate=True,
            district=district,
        )


def _public_interest(rng: random.Random) -> Iterator[Spec]:
    for legal, core, kana, fields, acts, fund in PUBLIC_INTEREST:
        yield Spec(
            "public_interest_corporation",
            f"{legal} {core}",
            kana,
            kana,
            fields,
            acts,
            corporate=True,
            foundation=fund,
            programme=acts[0].removesuffix("への助成"),
        )
    while True:
        place = rng.choice(PLACES)
        core, kana, fields, purpose = rng.choice(FOUNDATION_THEMES)
        yield Spec(
            "public_interest_corporation",
            f"公益財団法人 {place[0]}{core}",
            place[1] + kana,
            place[1] + kana,
            fields,
            (purpose + "への助成",),
            corporate=True,
            foundation=True,
            programme=purpose,
        )


def _intermediary(rng: random.Random) -> Iterator[Spec]:
    acts = ("市民活動団体の相談", "協働のコーディネート", "NPO法人の設立相談", "ボランティア講座")
    fields = ("civil_society_support", "community_development")
    yield Spec(
        "intermediary",
        "桜ヶ丘市市民活動支援センター",
        "サクラガオカシシミンカツドウシエンセンター",
        "シミンカツドウシエンセンター",
        fields,
        acts,
        district=DISTRICTS[1],
    )
    yield Spec(
        "intermediary",
        "特定非営利活動法人 上毛NPOサポートセンター",
        "ジョウモウエヌピーオーサポートセンター",
        "ジョウモウエヌピーオーサポート",
        fields,
        acts,
        muni=MAEBASHI_CODE,
        corporate=True,
    )
    yield Spec(
        "intermediary",
        "一般社団法人 ぐんま協働デザインラボ",
        "グンマキョウドウデザインラボ",
        "グンマキョウドウデザインラボ",
        fields,
        acts,
        muni=TAKASAKI_CODE,
        corporate=True,
    )
    for d in rng.sample(DISTRICTS, len(DISTRICTS)):
        yield Spec(
            "intermediary",
            f"{d.name}地区まちづくりセンター",
            f"{d.kana}チクマチヅクリセンター",
            d.kana + "マチヅクリ",
            fields,
            acts,
            district=d,
        )


def _welfare_council(rng: random.Random) -> Iterator[Spec]:
    acts = (
        "ボランティアの登録と紹介",
        "地域の見守りネットワーク",
        "福祉用具の貸出",
        "災害ボランティアセンター",
    )
    fields = ("health_welfare", "civil_society_support", "disaster_relief")
    yield Spec(
        "social_welfare_council",
        "社会福祉法人 桜ヶ丘市社会福祉協議会",
        "サクラガオカシシャカイフクシキョウギカイ",
        "サクラガオカシャキョウ",
        fields,
        acts,
        corporate=True,
        district=DISTRICTS[2],
        programme="地域福祉活動",
    )
    yield Spec(
        "social_welfare_council",
        "桜ヶ丘市ボランティアセンター",
        "サクラガオカシボランティアセンター",
        "サクラガオカボランティア",
        fields,
        acts,
        district=DISTRICTS[2],
    )
    for d in rng.sample(DISTRICTS, len(DISTRICTS)):
        yield Spec(
            "social_welfare_council",
            f"{d.name}地区社会福祉協議会",
            f"{d.kana}チクシャカイフクシキョウギカイ",
            d.kana + "シャキョウ",
            ("health_welfare", "community_development"),
            ("高齢者の見守り", "ふれあいサロン", "子育てサロン"),
            district=d,
        )


def _universities(rng: random.Random) -> Iterator[Spec]:
    later = []
    for uni, kana, code, units in UNIVERSITIES:
        for i, (unit, ukana, fields, acts) in enumerate(units):
            spec = Spec(
                "university",
                f"{uni} {unit}",
                f"{kana} {ukana}",
                kana,
                fields,
                acts,
                muni=code,
                corporate=i == 0,
                extra={"unit": unit},
            )
            if i == 0:
                yield spec  # one unit per university (with its 法人番号) first
            else:
                later.append(spec)
    yield from later


def _schools(rng: random.Random) -> Iterator[Spec]:
    first, *others = SCHOOLS
    for name, kana, corp, code, fields, acts in [first, *rng.sample(others, len(others))]:
        yield Spec("school", name, kana, kana, fields, acts, muni=code, corporate=corp)
    for d in rng.sample(DISTRICTS, len(DISTRICTS)):
        yield Spec(
            "school",
            f"桜ヶ丘市立{d.name}中学校",
            f"サクラガオカシリツ{d.kana}チュウガッコウ",
            d.kana + "チュウガッコウ",
            ("child_development", "social_education"),
            ("中学生ボランティア", "職場体験", "防災学習"),
            district=d,
        )


def _government(rng: random.Random) -> Iterator[Spec]:
    city, city_kana = CITY
    depts = [(CITY_CODE, *d) for d in (*CITY_DEPARTMENTS, EDUCATION_BOARD)]
    depts += [(PREF_CODE, *d) for d in PREF_DEPARTMENTS]
    first, *others = depts
    for code, dept, kana, fields, acts, programme in [first, *rng.sample(others, len(others))]:
        owner, owner_kana = (city, city_kana) if code == CITY_CODE else ("群馬県", "グンマケン")
        sep = "" if dept.startswith("教育委員会") else " "
        yield Spec(
            "government",
            f"{owner}{sep}{dept}",
            f"{owner_kana}{sep}{kana}",
            kana,
            fields,
            acts,
            muni=code,
            programme=programme,
            district=DISTRICTS[2] if code == CITY_CODE else None,
        )
    for d in rng.sample(DISTRICTS, len(DISTRICTS)):
        yield Spec(
            "government",
            f"桜ヶ丘市立{d.name}公民館",
            f"サクラガオカシリツ{d.kana}コウミンカン",
            d.kana + "コウミンカン",
            ("social_education", "community_development"),
            ("公民館講座", "子育てサロン", "防災訓練"),
            district=d,
            extra={"kominkan": True},
        )


CANDIDATES: dict[str, Any] = {
    "neighbourhood_association": _neighbourhood,
    "volunteer_group": lambda rng: _civic("volunteer_group", rng),
    "npo_corporation": lambda rng: _civic("npo_corporation", rng),
    "company": _companies,
    "general_incorporated": _general,
    "public_interest_corporation": _public_interest,
    "intermediary": _intermediary,
    "social_welfare_council": _welfare_council,
    "university": _universities,
    "school": _schools,
    "government": _government,
}


# --- resource texts: (title, description) per type, some per (kind, type) ---
# Placeholders: {act} {act2} {who} {town} {venue} {goods} {skill} {prog} {event}
# {cap} {num} {hh} {max_man} {year}.

RESOURCE_TEXTS: dict[str, tuple[tuple[str, str], ...]] = {
    "volunteers": (
        (
            "{who}ボランティアの派遣（{act}）",
            "{who}が{act}などの地域活動にボランティアとして参加します。1回あたり{cap}名程度まで派遣できます。",
        ),
        (
            "{act}のお手伝い",
            "{act}の準備や当日の運営を{who}がお手伝いします。{event}など季節の行事にも参加しています。",
        ),
    ),
    "pro_bono": (
        (
            "{skill}（プロボノ）",
            "本業で培った{skill}のノウハウを、NPOや自治会に無償で提供します。{act}に取り組む団体を特に歓迎します。",
        ),
        (
            "専門スキルで応援：{skill}",
            "社員が業務時間の一部を使い、{skill}で地域団体を支援します。初回の相談は無料です。",
        ),
    ),
    "funding": (
        (
            "{prog}",
            "{purpose}に取り組む団体に対し、1件あたり{max_man}万円を上限に助成します。{year}年度の募集です。",
        ),
        (
            "{prog}",
            "{purpose}に向けた市民活動を、1件あたり最大{max_man}万円まで応援します。報告会への参加をお願いしています。",
        ),
    ),
    "goods": (
        (
            "{goods}の提供",
            "{goods}を地域の団体に無償で提供します。{act}やフードドライブ、イベントなどにご活用ください。",
        ),
        (
            "{goods}の寄贈・貸出",
            "{goods}の寄贈や貸出に応じます。こども食堂や防災訓練での利用実績があります。",
        ),
    ),
    "venue": (
        (
            "{venue}の貸出",
            "{town}にある{venue}（最大{cap}名）を地域の活動に貸し出します。子育てサロンや体操教室、会議などにご利用ください。",
        ),
        (
            "{venue}を地域活動に開放します",
            "{venue}を無料または低額で開放しています。こども食堂や防災訓練の会場としても使えます。",
        ),
    ),
    "knowledge": (
        (
            "出前講座「{act}」",
            "{who}が地域の集まりや学校に出向き、{act}についてお話しします。資料は無料でお配りします。",
        ),
        (
            "{act}のノウハウ提供",
            "これまでの{act}の経験をもとに、立ち上げや運営の相談に応じます。{act2}についても助言できます。",
        ),
    ),
    "publicity": (
        (
            "ホームページ・SNSでの告知協力",
            "地域の団体が行うイベントや{act}の情報を、当団体のホームページとSNSで紹介します。",
        ),
    ),
    "network": (
        (
            "{act}に取り組む団体とのつながり",
            "市内外で{act}や{act2}に取り組む団体、専門職、行政の担当者をご紹介します。",
        ),
    ),
    "event_cohosting": (
        (
            "{event}の共同開催",
            "毎年開催している{event}を一緒に企画・運営してくれる団体を募集しています。{act}のブース出展も歓迎します。",
        ),
    ),
    "service_delivery": (
        (
            "{act}の実施",
            "{act}の企画から運営までを担います。市内{num}か所での実績があり、{act2}もあわせて実施できます。",
        ),
        (
            "{act}事業の受託",
            "行政や企業からの委託・協働事業として、{act}を実施します。高齢者や子供、外国人住民など対象に合わせて内容を調整します。",
        ),
    ),
}

RESOURCE_TEXTS_BY_KIND: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    ("neighbourhood_association", "venue"): (
        (
            "{town}集会所の貸出",
            "{town}の集会所（和室と調理室、最大{cap}名）を地域の活動に貸し出します。子育てサロンやこども食堂にも使えます。",
        ),
    ),
    ("neighbourhood_association", "publicity"): (
        (
            "回覧板・掲示板での周知（約{hh}世帯）",
            "{town}の回覧板と掲示板で、地域の活動やイベント、防災訓練のお知らせを周知します。",
        ),
    ),
    ("neighbourhood_association", "network"): (
        (
            "{town}の地域情報と人のつながり",
            "民生委員や子ども会、老人クラブとのつながりを活かし、高齢者の見守りや空き家の情報共有に協力します。",
        ),
    ),
    ("government", "publicity"): (
        (
            "広報紙・市公式LINEでの周知",
            "市が後援する事業や協働事業は、広報紙や公式LINE、ホームページでお知らせできます。",
        ),
    ),
    ("government", "network"): (
        (
            "庁内関係課と地域団体へのつなぎ",
            "{act}に関係する庁内の担当課や、自治会・民生委員などの地域団体との調整をお手伝いします。",
        ),
    ),
    ("government", "venue"): (
        (
            "{venue}の利用",
            "{venue}（最大{cap}名）を市民活動団体の会議や講座、子育てサロンなどに利用できます。",
        ),
    ),
    ("intermediary", "network"): (
        (
            "市民活動団体と企業・行政のコーディネート",
            "登録団体{num}団体の情報をもとに、NPO・企業・行政・大学の協働をコーディネートします。",
        ),
    ),
    ("intermediary", "publicity"): (
        (
            "情報誌とメールマガジンでの団体紹介",
            "毎月発行の情報誌とメールマガジンで、団体の活動やボランティア募集を紹介します。",
        ),
    ),
    ("company", "publicity"): (
        (
            "番組・紙面での活動紹介",
            "地域で活動する団体の取り組みを、番組や紙面、ウェブ記事で紹介します。{act}にも協力しています。",
        ),
    ),
    ("university", "volunteers"): (
        (
            "学生ボランティアの派遣（{act}）",
            "学生が{act}や子どもの学習支援、イベント運営に参加します。授業期間外は人数を増やせます。",
        ),
    ),
    ("university", "knowledge"): (
        (
            "研究成果を活かした{act}",
            "教員と学生が、研究成果をもとに{act}に協力します。地域課題をテーマにした共同研究も歓迎します。",
        ),
    ),
    ("social_welfare_council", "goods"): (
        (
            "車いす・福祉用具の貸出",
            "車いすや福祉用具、イベント用のテントを無料で貸し出します。高齢者の見守り活動などにご利用ください。",
        ),
    ),
}

CONDITIONS: dict[str, tuple[str, ...]] = {
    "volunteers": (
        "2週間前までにご相談ください。",
        "ボランティア保険への加入をお願いします。",
        "平日の派遣は人数に限りがあります。",
    ),
    "pro_bono": ("営利目的の事業は対象外です。", "1団体あたり年3回までの相談となります。"),
    "funding": ("政治・宗教活動は対象外です。", "事業終了後に報告書の提出が必要です。"),
    "goods": ("受け取りはご来社いただける方に限ります。", "在庫がなくなり次第終了します。"),
    "venue": (
        "利用の1か月前までに申込みが必要です。",
        "火気の使用はご相談ください。",
        "営利目的の利用はできません。",
    ),
    "knowledge": ("交通費の実費をご負担いただく場合があります。", "10名以上の集まりが対象です。"),
    "publicity": ("掲載内容は事前に確認させていただきます。", "掲載は月1回の締切に合わせます。"),
    "network": ("個人情報の取扱いには十分ご注意ください。", "まずはお気軽にご相談ください。"),
    "event_cohosting": ("企画会議への参加をお願いします。", "費用分担は協議のうえ決めます。"),
    "service_delivery": ("委託・協働事業として実施します。", "対象地域はご相談に応じます。"),
}
