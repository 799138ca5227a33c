"""Chinese (simplified) word list and sentence templates (written for this project). Words are joined
without spaces, as Chinese is written."""

CODE = "zh"
JOINER = ""
PUNCT = {",": "，", ".": "。", "?": "？", "!": "！"}

WORDS = {
    "NOUN": """房子 城市 男人 女人 孩子 时间 道路 世界 生活 工作 学校 朋友 家庭 街道 花园 窗户 晚上 早上 信 书
        桌子 房间 天空 森林 村子 火车 车站 政府 历史 问题 答案 夜晚 星期 夏天 冬天 国家 大海 山 河 厨房 门 老师
        医生 市场 报纸 邻居 汽车 桥 太阳 雨 风 声音 脸 照片 歌 旅行 决定 想法 记忆 公司 警察 经济 社会 文化
        发展 科学 技术 学生 父亲 母亲""",
    "ADJ": "老 新 大 小 好 长 漂亮 黑暗 明亮 安静 冷 热 年轻 快 重要 简单 奇怪 美丽 干净 有名",
    "VERB": """看见 找到 知道 做 拿 给 说 去 来 留在 想 相信 打开 写 读 带 寻找 买 卖 告诉 等 看 喜欢 需要 发现
        开始 离开 回到 认为 讨论 建立 提高 参加""",
    "ADV": "今天 明天 总是 经常 已经 还 也 然后 现在 这里 那里 非常 慢慢地 突然 终于 很快 昨天 也许 真的",
    "PRON": "他 她 我们 我 他们 你",
    "NAME": "小明 王芳 李华 张伟 刘洋 陈静 杨帆 赵磊",
    "DET": "这个 那个 每个 一个 我们的 他的 她的",
    "CONJ": "但是 或者 所以 因为",
    "TIME": "每天 昨天晚上 第二天 去年夏天 那年冬天 很多年来 上个星期 半夜",
}

TEMPLATES = (
    "TIME PRON 在 DET NOUN 里 VERB 了 DET ADJ 的 NOUN",
    "NAME 说 DET NOUN 很 ADJ",
    "PRON ADV VERB 了 NOUN, CONJ PRON VERB NOUN",
    "DET NOUN 是 ADJ 的",
    "PRON 没有 VERB NOUN",
    "为什么 PRON 要 VERB NOUN?",
    "NAME 和 NAME ADV 去 了 NOUN",
    "在 NOUN 里, PRON VERB 了 DET ADJ 的 NOUN",
    "我们 的 NOUN 和 NOUN 都 很 ADJ",
)
