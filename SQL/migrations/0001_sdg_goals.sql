-- 0001: the 17 Sustainable Development Goals, the reference every SDG link points to.
-- Source: the UN's official names (Japanese as used by the Cabinet Office) and colours.

CREATE TABLE sdg_goals (
    goal    smallint PRIMARY KEY CHECK (goal BETWEEN 1 AND 17),
    name_ja text NOT NULL,
    name_en text NOT NULL,
    color   text NOT NULL CHECK (color ~ '^#[0-9A-F]{6}$')
);

INSERT INTO sdg_goals (goal, name_ja, name_en, color) VALUES
    (1, '貧困をなくそう', 'No Poverty', '#E5243B'),
    (2, '飢餓をゼロに', 'Zero Hunger', '#DDA63A'),
    (3, 'すべての人に健康と福祉を', 'Good Health and Well-being', '#4C9F38'),
    (4, '質の高い教育をみんなに', 'Quality Education', '#C5192D'),
    (5, 'ジェンダー平等を実現しよう', 'Gender Equality', '#FF3A21'),
    (6, '安全な水とトイレを世界中に', 'Clean Water and Sanitation', '#26BDE2'),
    (7, 'エネルギーをみんなに そしてクリーンに', 'Affordable and Clean Energy', '#FCC30B'),
    (8, '働きがいも経済成長も', 'Decent Work and Economic Growth', '#A21942'),
    (9, '産業と技術革新の基盤をつくろう', 'Industry, Innovation and Infrastructure', '#FD6925'),
    (10, '人や国の不平等をなくそう', 'Reduced Inequalities', '#DD1367'),
    (11, '住み続けられるまちづくりを', 'Sustainable Cities and Communities', '#FD9D24'),
    (12, 'つくる責任 つかう責任', 'Responsible Consumption and Production', '#BF8B2E'),
    (13, '気候変動に具体的な対策を', 'Climate Action', '#3F7E44'),
    (14, '海の豊かさを守ろう', 'Life Below Water', '#0A97D9'),
    (15, '陸の豊かさも守ろう', 'Life on Land', '#56C02B'),
    (16, '平和と公正をすべての人に', 'Peace, Justice and Strong Institutions', '#00689D'),
    (17, 'パートナーシップで目標を達成しよう', 'Partnerships for the Goals', '#19486A');
