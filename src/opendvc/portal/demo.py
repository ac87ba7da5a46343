"""The demo's guides, news and poll, written from the seed's provincial portal page (its guide to finding
a procedure, signing up and following a dossier, and its note on Decision 766)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from opendvc.portal.models import Article, ArticleKind, Poll, PollChoice
from opendvc.portal.services import articles

ARTICLES = [
    {
        "slug": "huong-dan-tra-cuu-thu-tuc-hanh-chinh-dich-vu-cong",
        "kind": ArticleKind.GUIDE,
        "title": "Hướng dẫn tra cứu thủ tục hành chính, dịch vụ công",
        "days_ago": 30,
        "summary": "Bốn bước để tìm đúng thủ tục, chọn cơ quan thực hiện, đăng nhập và nộp, theo dõi hồ sơ.",
        "body": """
<h2>1. Tra cứu thủ tục hành chính, dịch vụ công</h2>
<p>Người dân, doanh nghiệp có 3 cách để tìm thủ tục hành chính, dịch vụ công:</p>
<ul><li>Tìm theo từ khóa ở trang chủ, trang Công dân hoặc trang Doanh nghiệp (gõ có dấu hoặc không dấu
đều được, ví dụ “cấp lại căn cước” hay “dang ky khai sinh”);</li>
<li>Chọn thủ tục từ các sự kiện của công dân, doanh nghiệp (sinh con, kết hôn, thành lập doanh nghiệp…);</li>
<li>Chọn từ danh sách dịch vụ công trực tuyến.</li></ul>
<h2>2. Chọn cơ quan thực hiện</h2>
<p>Căn cứ vào mục <strong>Cơ quan thực hiện</strong> trong thông tin thủ tục, chọn tỉnh, thành phố rồi
cơ quan tương ứng nơi bạn cần nộp hồ sơ.</p>
<h2>3. Đăng ký, đăng nhập tài khoản</h2>
<p>Có thể đăng ký tài khoản bằng thuê bao di động, mã số bảo hiểm xã hội, SIM ký số hoặc USB ký số; sau
đó đăng nhập bằng số định danh cá nhân và mật khẩu (kèm mã OTP), SIM ký số hoặc USB ký số.</p>
<h2>4. Nộp hồ sơ, theo dõi tình trạng hồ sơ</h2>
<p>Sau khi đăng nhập, chọn <strong>Nộp hồ sơ trực tuyến</strong> ở trang thủ tục. Mỗi hồ sơ được cấp một
mã; tra cứu bằng mã hồ sơ để theo dõi tiến trình xử lý, kết quả và thời hạn giải quyết.</p>
""",
    },
    {
        "slug": "huong-dan-dang-ky-tai-khoan",
        "kind": ArticleKind.GUIDE,
        "title": "Hướng dẫn đăng ký tài khoản và đăng nhập Cổng Dịch vụ công",
        "days_ago": 21,
        "summary": "Đăng ký bằng thuê bao di động, đăng nhập với mã OTP và quản lý tài khoản của bạn.",
        "body": """
<p>Tại trang chủ, chọn <strong>Đăng ký</strong>, rồi chọn cách đăng ký phù hợp.</p>
<h2>Đăng ký bằng thuê bao di động</h2>
<ol><li>Nhập số định danh cá nhân (CCCD), họ và tên, ngày sinh và số điện thoại đứng tên bạn;</li>
<li>Nhập mã OTP được gửi về số điện thoại và nhấn <strong>Xác nhận</strong>. Nếu chưa nhận được mã, nhấn
<strong>Gửi lại OTP</strong>;</li>
<li>Đặt mật khẩu: ít nhất 8 ký tự, có chữ hoa, chữ thường, chữ số và ký tự đặc biệt.</li></ol>
<h2>Đăng nhập</h2>
<p>Nhập tên đăng nhập (số CCCD), mật khẩu và mã xác thực trong hình, rồi nhập mã OTP gửi về điện thoại.
Quên mật khẩu: chọn <strong>Quên mật khẩu</strong> ở trang đăng nhập.</p>
<h2>Quản lý tài khoản</h2>
<p>Tại trang tài khoản, bạn xem thông tin định danh, lịch sử truy cập, đổi số điện thoại nhận OTP và thêm
các phương thức đăng nhập khác.</p>
""",
    },
    {
        "slug": "huong-dan-thanh-toan-truc-tuyen",
        "kind": ArticleKind.GUIDE,
        "title": "Hướng dẫn thanh toán phí, lệ phí trực tuyến",
        "days_ago": 12,
        "summary": "Nộp phí, lệ phí của hồ sơ qua cổng thanh toán và nhận biên lai điện tử trên trang hồ sơ.",
        "body": """
<p>Với thủ tục có phí, lệ phí, trang hồ sơ của bạn hiện khoản phải nộp và nút <strong>Thanh toán</strong>.</p>
<ol><li>Mở hồ sơ trong mục <strong>Hồ sơ của tôi</strong>, kiểm tra số tiền;</li>
<li>Nhấn <strong>Thanh toán</strong>, chọn ngân hàng hoặc ví điện tử trên trang của cổng thanh toán;</li>
<li>Khi giao dịch thành công, biên lai điện tử có trên trang hồ sơ để tải về.</li></ol>
<p>Nếu tài khoản đã bị trừ tiền mà hồ sơ chưa ghi nhận, đừng thanh toán lại: Cổng tự đối soát với cổng
thanh toán trong vài phút.</p>
""",
    },
    {
        "slug": "cong-khai-bo-chi-so-phuc-vu-nguoi-dan-doanh-nghiep",
        "kind": ArticleKind.NEWS,
        "title": "Công khai Bộ chỉ số phục vụ người dân, doanh nghiệp theo thời gian thực",
        "days_ago": 5,
        "summary": "Mức độ phục vụ của từng bộ, ngành, địa phương, tính từ dữ liệu thực, công khai trên Cổng",
        "body": """
<p>Thực hiện Quyết định số 766/QĐ-TTg của Thủ tướng Chính phủ (có hiệu lực từ ngày 01/01/2024), Bộ chỉ số
chỉ đạo, điều hành và đánh giá chất lượng phục vụ người dân, doanh nghiệp trong thực hiện thủ tục hành
chính, dịch vụ công theo thời gian thực được công khai trên Cổng.</p>
<p>Bộ chỉ số gồm các nhóm: <strong>Công khai, minh bạch</strong>; <strong>Tiến độ, kết quả giải
quyết</strong>; <strong>Cung cấp dịch vụ trực tuyến</strong>; <strong>Số hóa hồ sơ</strong>;
<strong>Mức độ hài lòng</strong>. Đối tượng được đánh giá là các bộ, cơ quan ngang bộ, Ủy ban nhân dân các
cấp và các cơ quan, đơn vị trực thuộc.</p>
<p>Việc đánh giá dựa trên dữ liệu theo thời gian thực; kết quả là một trong những tiêu chuẩn để xem xét
mức độ hoàn thành nhiệm vụ của cơ quan, đơn vị (khoản 2 Điều 32 Nghị định số 61/2018/NĐ-CP).</p>
<p>Xem kết quả tại trang <a href="/chi-so-phuc-vu/">Chỉ số phục vụ</a>.</p>
""",
    },
]

POLL = (
    "Bạn đánh giá thế nào về việc tra cứu và nộp hồ sơ trực tuyến trên Cổng?",
    ["Rất dễ sử dụng", "Dễ sử dụng", "Bình thường", "Khó sử dụng"],
)


@transaction.atomic
def load() -> int:
    now = timezone.now()
    for data in ARTICLES:
        article = Article.objects.filter(slug=data["slug"]).first()
        created = article is None
        article = article or Article(slug=data["slug"])
        article.kind, article.title, article.body = data["kind"], data["title"], data["body"]
        article.summary = data["summary"]
        article.published = True
        article.published_at = article.published_at or now - timedelta(days=data["days_ago"])
        articles.save(article, created=created)
    if not Poll.objects.filter(question=POLL[0]).exists():
        poll = Poll.objects.create(question=POLL[0], opens_at=now - timedelta(days=30))
        PollChoice.objects.bulk_create(
            [PollChoice(poll=poll, text=text, position=i) for i, text in enumerate(POLL[1], start=1)]
        )
    return len(ARTICLES)
