"""Browser journeys through Huzhu in a real headless Chromium, driven over WebDriver.

Run by scripts/browser-tests, which starts `huzhu serve` on an empty data directory with
the demo data and a known demo password, then runs this file. Screenshots of the main pages
go to $HUZHU_ARTIFACTS (not committed).
"""

import os
import pathlib
import re
import tempfile
import unittest

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import NoAlertPresentException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE = os.environ.get("HUZHU_URL", "http://127.0.0.1:8080")
PASSWORD = os.environ["HUZHU_DEMO_PASSWORD"]
ARTIFACTS = pathlib.Path(os.environ.get("HUZHU_ARTIFACTS", ".build/browser-artifacts"))


def gone(element):
    """A wait condition: the page that held `element` has been replaced. Chromium sometimes
    answers "node does not belong to the document" rather than "stale" mid-navigation; both
    mean the same here."""
    def predicate(_driver):
        try:
            element.is_enabled()
            return False
        except WebDriverException:
            return True
    return predicate


def browser(width=1280, height=1000):
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--lang=zh-CN",
                     f"--window-size={width},{height}"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")),
                              options=options)
    driver.implicitly_wait(5)
    return driver


class Journey(unittest.TestCase):
    def setUp(self):
        self.driver = browser()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def tearDown(self):
        self.driver.quit()

    # Helpers --------------------------------------------------------------------------

    def shot(self, name):
        """Full-page screenshot: the window is stretched to the page's height first."""
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(1280, max(800, min(height + 40, 6000)))
        self.driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))
        self.driver.set_window_size(1280, 1000)

    def open(self, path):
        self.driver.get(BASE + path)

    def sign_in(self, username):
        self.open("/logout-page-does-not-exist")  # any page, to reach the site before cookies
        self.driver.delete_all_cookies()
        self.open("/login")
        self.driver.find_element(By.ID, "username").send_keys(username)
        self.driver.find_element(By.ID, "password").send_keys(PASSWORD)
        self.driver.find_element(By.CSS_SELECTOR, "form.stacked-form button[type=submit]").click()
        errors = self.driver.find_elements(By.ID, "login-error")
        self.assertIn("工作台", self.driver.title,
                      f"{username} could not sign in: {errors[0].text if errors else self.driver.page_source[:600]}")

    def sign_out(self):
        self.driver.find_element(By.CSS_SELECTOR, "form.account button").click()
        WebDriverWait(self.driver, 10).until(lambda driver: "/login" in driver.current_url)

    def click_and_wait(self, element):
        """Clicks, answers "OK" to the confirmation a money-moving step asks for, and waits
        for the next page to replace this one."""
        element.click()
        try:
            self.driver.switch_to.alert.accept()
        except NoAlertPresentException:
            pass
        WebDriverWait(self.driver, 20).until(gone(element))

    def worker_id(self, query):
        """The id of the first worker a search finds, from the link to their page."""
        self.open("/workers?q=" + query)
        link = self.driver.find_element(By.CSS_SELECTOR, "table.data-table tbody a").get_attribute("href")
        return link.rstrip("/").split("/")[-1]

    def figure(self, element_id):
        return self.driver.find_element(By.CSS_SELECTOR, f"#{element_id} .figure-value").text

    def count(self, element_id):
        """A figure that is a count, written with its thousands grouped ("1,667")."""
        return int(self.figure(element_id).replace(",", ""))

    def act(self, action):
        self.click_and_wait(self.driver.find_element(By.ID, f"action-{action}"))
        notice = self.driver.find_element(By.ID, "claim-notice").text
        self.assertIn("已办理", notice)

    # Journeys -------------------------------------------------------------------------

    def test_a_claim_from_the_window_to_the_bank(self):
        d = self.driver
        # The finance officer's dashboard before: what has been paid so far.
        self.sign_in("ay-finance")
        paid_before = self.count("figure-paid-count")
        self.shot("01-dashboard-finance-before")
        self.sign_out()

        # The window supervisor finds the worker and opens the claim with the scans. The papers
        # were received in March 2020: only a supervisor may record a receipt date earlier than
        # today, and must say why (the clerk's form shows the server's day, no date to type).
        self.sign_in("ay-window")
        self.open("/claims/new?worker=" + self.worker_id("%E7%8E%8B%E7%A7%80%E8%8B%B1"))
        self.assertFalse(d.find_elements(By.ID, "claimDate"))
        self.assertIn("以系统当天为准", d.find_element(By.ID, "claim-date").text)
        self.sign_out()
        self.sign_in("ay-window-lead")
        self.shot("02-dashboard-window")
        self.open("/workers?q=%E7%8E%8B%E7%A7%80%E8%8B%B1")  # 王秀英
        d.find_element(By.CSS_SELECTOR, "table.data-table tbody a").click()
        self.assertIn("**", d.find_element(By.ID, "worker-id-number").text)
        self.shot("03-worker")
        d.find_element(By.ID, "new-claim").click()
        fields = {
            "hospital": "安阳市人民医院", "admissionDate": "2020-03-02", "dischargeDate": "2020-03-12",
            "hospitalDays": "10", "settlementDate": "2020-03-12", "claimDate": "2020-03-20",
            "claimDateReason": "2020年3月20日文峰区窗口收到的纸质材料，今日补录",
            "figure_in_scope_cost": "18000", "figure_pooled_fund_paid": "13500",
            "figure_critical_illness_insurance_paid": "1500", "invoiceNumbers": "AY-BROWSER-0001",
            "settlementSheetNumber": "JS-BROWSER-0001",
        }
        # A bad amount first: the error sits next to the field and nothing typed is lost.
        for name, value in fields.items():
            element = d.find_element(By.ID, name)
            value = value if name != "figure_pooled_fund_paid" else "一万三"
            if element.get_attribute("type") == "date":
                # Typing into a date picker depends on the locale's field order; set the value.
                d.execute_script("arguments[0].value = arguments[1]", element, value)
            else:
                element.clear()
                element.send_keys(value)
        scans = tempfile.mkdtemp()
        for kind in ("certificate", "diagnosis", "invoice", "settlement_sheet"):
            path = pathlib.Path(scans) / f"{kind}.pdf"
            path.write_bytes(b"%PDF-1.4\n% scanned " + kind.encode() + b"\n%%EOF\n")
            d.find_element(By.ID, f"scan-{kind}").send_keys(str(path))
        d.find_element(By.ID, "open-claim").click()
        self.assertTrue(d.find_elements(By.ID, "form-errors"))
        self.assertIn("金额应为元", d.find_element(By.CSS_SELECTOR, ".field-error .field-message").text)
        self.assertEqual(d.find_element(By.ID, "hospital").get_attribute("value"), "安阳市人民医院")
        self.shot("04-claim-form-error")
        # The scans chosen before the error are kept: named on the form, not chosen again.
        for kind in ("certificate", "diagnosis", "invoice", "settlement_sheet"):
            self.assertIn(f"已保留：{kind}.pdf", d.find_element(By.ID, f"kept-{kind}").text)
        pooled = d.find_element(By.ID, "figure_pooled_fund_paid")
        pooled.clear()
        pooled.send_keys("13500")
        d.find_element(By.ID, "open-claim").click()
        WebDriverWait(d, 10).until(lambda driver: re.search(r"/claims/[0-9a-fA-F-]{36}$", driver.current_url))
        number = re.search(r"LP-ANYANG-\d{4}-\d{6}", d.find_element(By.TAG_NAME, "h1").text).group(0)
        self.assertIn("1,300.00", d.find_element(By.CLASS_NAME, "figures").text)
        self.assertIn("分段计算", d.page_source)
        self.act("submit")
        self.shot("05-claim-submitted")
        claim_url = d.current_url
        self.sign_out()

        # Review, then approval by someone else.
        self.sign_in("ay-reviewer")
        self.assertGreaterEqual(self.count("work-review"), 1)
        self.open("/claims")
        self.shot("06-claims-queue")
        d.find_element(By.LINK_TEXT, number).click()
        self.act("review")
        self.sign_out()
        self.sign_in("ay-approver")
        d.get(claim_url)
        self.act("approve")
        self.shot("07-claim-approved")
        self.sign_out()

        # Finance makes the batch, downloads nothing here, records the bank's answer.
        self.sign_in("ay-finance")
        self.open("/payments")
        Select(d.find_element(By.ID, "batch-scheme")).select_by_value("anyang")
        self.click_and_wait(d.find_element(By.ID, "create-batch"))
        self.shot("08-payment-batch")
        # The bank's answer file: the line's amount as the batch shows it, a result column.
        row = d.find_element(By.ID, f"paid-{number}").find_element(By.XPATH, "./ancestor::tr")
        amount = row.find_elements(By.TAG_NAME, "td")[3].text.split("\n")[0].split("（")[0]
        answer = pathlib.Path(tempfile.mkdtemp()) / "回盘.csv"
        answer.write_text(f"申请编号,金额,处理结果\r\n{number},\"{amount}\",交易成功\r\n", encoding="utf-8")
        d.find_element(By.ID, "answer-file").send_keys(str(answer))
        self.click_and_wait(d.find_element(By.ID, "answer-try"))
        self.assertIn("到账 1 笔", d.find_element(By.ID, "answer-summary").text)
        self.shot("08b-bank-answer-check")
        self.click_and_wait(d.find_element(By.ID, "answer-apply"))
        self.assertIn("到账 1 笔", d.find_element(By.ID, "batch-notice").text)
        self.assertIn("已支付", d.find_element(By.ID, f"outcome-{number}").text)
        self.open("/")
        self.assertEqual(self.count("figure-paid-count"), paid_before + 1)
        self.shot("09-dashboard-finance-after")
        d.get(claim_url)
        self.assertIn("已支付", d.find_element(By.CLASS_NAME, "figures").text)
        self.open("/funds")
        self.shot("10-fund")
        self.sign_out()

        # The worker follows the claim in the portal: ID number and phone, then the code.
        self.sign_in("ay-window")
        self.open("/workers?q=%E7%8E%8B%E7%A7%80%E8%8B%B1")
        d.find_element(By.CSS_SELECTOR, "table.data-table tbody a").click()
        d.find_element(By.ID, "reveal").click()
        id_number = d.find_element(By.ID, "worker-id-number").text
        phone = d.find_element(By.ID, "worker-phone").text
        self.sign_out()
        self.driver.delete_all_cookies()
        self.open("/portal/login")
        d.find_element(By.ID, "idNumber").send_keys(id_number)
        d.find_element(By.ID, "phone").send_keys(phone)
        d.find_element(By.ID, "send-code").click()
        code = re.search(r"验证码为 (\d{6})", d.find_element(By.ID, "demo-sms").text).group(1)
        d.find_element(By.ID, "code").send_keys(code)
        d.find_element(By.ID, "check-code").click()
        WebDriverWait(d, 10).until(lambda driver: driver.find_elements(By.ID, "portal-claims"))
        claims = d.find_element(By.ID, "portal-claims").text
        self.assertIn(number, claims)
        self.assertIn("已支付", claims)
        self.shot("11-portal")
        # The claim's page says in sentences why it paid what it paid; the letter prints alone.
        self.click_and_wait(d.find_element(By.CSS_SELECTOR, "#portal-claims a"))
        explanation = d.find_element(By.ID, "portal-explanation").text
        self.assertIn("经审核给付互助金 ¥1,300.00", explanation)
        self.assertIn("计算基数", explanation)
        self.shot("11c-portal-claim")
        # She agrees to her case being told, anonymously.
        self.click_and_wait(d.find_element(By.ID, "portal-story-consent"))
        self.assertIn("尚未被选用展示", d.find_element(By.ID, "portal-story-state").text)
        self.click_and_wait(d.find_element(By.ID, "portal-letter"))
        letter = d.find_element(By.ID, "decision-letter").text
        self.assertIn("互助金给付通知书", letter)
        self.assertIn("人民币 壹仟叁佰元整（¥1,300.00）", letter)
        d.execute_script("window.__printed = 0; window.print = function () { window.__printed += 1; };")
        d.find_element(By.ID, "print-letter").click()
        self.assertEqual(d.execute_script("return window.__printed"), 1)
        d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        try:
            self.assertFalse(d.find_element(By.ID, "print-letter").is_displayed())
            self.assertFalse(d.find_element(By.CLASS_NAME, "site-header").is_displayed())
            self.assertTrue(d.find_element(By.ID, "decision-letter").is_displayed())
        finally:
            d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        self.shot("11d-portal-letter")
        # Large text for older eyes, on a phone: bigger type, no site navigation, kept from page
        # to page, and nothing wider than the screen.
        d.set_window_size(390, 844)
        try:
            self.click_and_wait(d.find_element(By.ID, "text-switch"))
            self.assertIn("large-text", d.find_element(By.TAG_NAME, "body").get_attribute("class"))
            size = d.execute_script(
                "return parseFloat(getComputedStyle(document.querySelector('#letter-decision')).fontSize)")
            self.assertGreaterEqual(size, 19)
            self.open("/portal")
            self.assertIn("large-text", d.find_element(By.TAG_NAME, "body").get_attribute("class"))
            self.assertFalse(d.find_element(By.CLASS_NAME, "site-nav").is_displayed())
            wide = d.execute_script("return document.documentElement.scrollWidth")
            self.assertLessEqual(wide, 392)
            d.save_screenshot(str(ARTIFACTS / "11e-portal-large-text-phone.png"))
            self.click_and_wait(d.find_element(By.ID, "text-switch"))
            self.assertNotIn("large-text", d.find_element(By.TAG_NAME, "body").get_attribute("class") or "")
        finally:
            d.set_window_size(1280, 1000)
        d.find_element(By.ID, "portal-apply").click()
        self.assertTrue(d.find_elements(By.ID, "portal-submit-claim"))
        self.shot("11b-portal-apply")
        # "6500元" is read as 6,500 yuan: the form comes back for what is missing (the dates…),
        # not for the amount.
        d.find_element(By.ID, "figure_in_scope_cost").send_keys("6500元")
        self.click_and_wait(d.find_element(By.ID, "portal-submit-claim"))
        amount = d.find_element(By.ID, "figure_in_scope_cost")
        self.assertEqual(amount.get_attribute("value"), "6500元")
        self.assertNotIn("field-error", amount.find_element(By.XPATH, "./ancestor::div[1]").get_attribute("class"))
        self.assertTrue(d.find_elements(By.CSS_SELECTOR, ".field-error #admissionDate"))
        self.open("/portal")
        self.click_and_wait(d.find_element(By.ID, "portal-logout"))
        # Back within the minute: a new code, not the one just used, and it signs in.
        self.open("/portal/login")
        d.find_element(By.ID, "idNumber").send_keys(id_number)
        d.find_element(By.ID, "phone").send_keys(phone)
        d.find_element(By.ID, "send-code").click()
        again = re.search(r"验证码为 (\d{6})", d.find_element(By.ID, "demo-sms").text).group(1)
        self.assertNotEqual(again, code)
        d.find_element(By.ID, "code").send_keys(again)
        d.find_element(By.ID, "check-code").click()
        WebDriverWait(d, 10).until(lambda driver: driver.find_elements(By.ID, "portal-claims"))
        self.click_and_wait(d.find_element(By.ID, "portal-logout"))

        # The approver chooses her story; it becomes public, anonymised.
        self.open("/stories")
        told_before = len(d.find_elements(By.CSS_SELECTOR, "#stories > li"))
        self.sign_in("ay-approver")
        self.open("/stories/manage")
        self.click_and_wait(d.find_element(By.ID, f"publish-{number}"))
        self.assertIn("展示中", d.find_element(By.ID, "story-candidates").text)
        self.sign_out()
        self.open("/stories")
        self.assertEqual(len(d.find_elements(By.CSS_SELECTOR, "#stories > li")), told_before + 1)
        self.assertIn("获得互助金 ¥1,300.00", d.find_element(By.ID, "stories").text)
        self.assertNotIn("王秀英", d.page_source)

        # The audit administrator sees who did it.
        self.sign_in("ay-auditor")
        self.open("/audit")
        log = d.find_element(By.ID, "audit-events").text
        for who in ("ay-window-lead", "ay-reviewer", "ay-approver", "ay-finance"):
            self.assertIn(who, log)
        self.assertIn("纸质材料", log)
        self.shot("12-audit-log")
        self.sign_out()

        # Found overpaid afterwards: the approver opens a recovery from the claim's page (an
        # amount that is no amount comes back with the reason), the window records the money
        # paid back, finance sees it in the fund's "追回" column.
        self.sign_in("ay-approver")
        d.get(claim_url)
        d.find_element(By.ID, "recovery-amount").send_keys("三百")
        d.find_element(By.ID, "recovery-note").send_keys("自付部分算错")
        self.click_and_wait(d.find_element(By.ID, "open-recovery"))
        self.assertIn("不是金额", d.find_element(By.ID, "claim-error").text)
        Select(d.find_element(By.ID, "recovery-reason")).select_by_value("overpaid")
        d.find_element(By.ID, "recovery-amount").send_keys("300")
        d.find_element(By.ID, "recovery-note").send_keys("自付部分算错")
        self.click_and_wait(d.find_element(By.ID, "open-recovery"))
        self.assertIn("已发起追回", d.find_element(By.ID, "recovery-notice").text)
        recovery_url = d.current_url
        self.assertFalse(d.find_elements(By.ID, "record-repayment"))
        self.shot("12b-recovery-opened")
        self.sign_out()
        self.sign_in("ay-window")
        d.get(recovery_url)
        d.find_element(By.ID, "repayment-reference").send_keys("窗口收据 0001")
        self.click_and_wait(d.find_element(By.ID, "record-repayment"))
        self.assertIn("已登记收回", d.find_element(By.ID, "recovery-notice").text)
        self.assertIn("窗口收据 0001", d.find_element(By.ID, "repayments").text)
        self.assertEqual(d.find_element(By.ID, "recovery-outstanding").text, "¥0.00")
        self.shot("12c-recovery-repaid")
        self.sign_out()
        self.sign_in("ay-finance")
        self.open("/funds")
        headers = [cell.text for cell in d.find_elements(By.CSS_SELECTOR, "#fund-balances thead th")]
        column = headers.index("追回")
        recovered = [row.find_elements(By.TAG_NAME, "td")[column].text
                     for row in d.find_elements(By.CSS_SELECTOR, "#fund-balances tbody tr")]
        self.assertIn("¥300.00", recovered)

    def test_lists_page_and_the_queue_opens_filtered(self):
        d = self.driver
        self.sign_in("ay-window")
        # Anyang's people by their region: more than a page, each with unit and cover.
        self.open("/workers?q=4105")
        self.assertRegex(d.find_element(By.CLASS_NAME, "pager-range").text, r"^第 1–50 条，共 [\d,]+ 条$")
        headers = [th.text for th in d.find_elements(By.CSS_SELECTOR, "#worker-results thead th")]
        self.assertEqual(headers, ["姓名", "身份证号", "手机", "单位", "保障"])
        first = [a.text for a in d.find_elements(By.CSS_SELECTOR, "#worker-results tbody a")]
        self.click_and_wait(d.find_element(By.CSS_SELECTOR, "nav.pager a[rel=next]"))
        self.assertRegex(d.find_element(By.CLASS_NAME, "pager-range").text, r"^第 51–100 条")
        self.assertIn("q=4105", d.current_url)
        second = [a.text for a in d.find_elements(By.CSS_SELECTOR, "#worker-results tbody a")]
        self.assertEqual(len(second), 50)
        self.assertNotEqual(first, second)
        self.shot("15-worker-search-page-2")
        # A unit of 1,461 workers pages its members too.
        self.open("/organisations")
        d.find_element(By.LINK_TEXT, "安阳市总工会").click()
        search = d.find_element(By.ID, "unit-search")
        search.send_keys("公交")
        search.submit()
        d.find_element(By.LINK_TEXT, "安阳公交集团").click()
        self.assertRegex(d.find_element(By.CSS_SELECTOR, "#unit-workers .pager-range").text,
                         r"^第 1–100 条，共 [\d,]+ 条$")
        self.click_and_wait(d.find_element(By.CSS_SELECTOR, "#unit-workers nav.pager a[rel=next]"))
        self.assertRegex(d.find_element(By.CSS_SELECTOR, "#unit-workers .pager-range").text, r"^第 101–200 条")
        # The dashboard's overdue figure opens the queue filtered to what it counts.
        self.open("/")
        overdue = self.count("work-overdue")
        self.click_and_wait(d.find_element(By.CSS_SELECTOR, "#work-overdue a"))
        self.assertIn("due=overdue", d.current_url)
        rows = d.find_elements(By.CSS_SELECTOR, "#queue tbody tr")
        self.assertEqual(len(rows), min(overdue, 100))
        if rows:
            self.assertTrue(all(row.find_elements(By.CLASS_NAME, "badge-overdue") for row in rows))
        self.shot("16-claims-overdue")
        self.sign_out()
        # An approver lands on what waits for approval, not on what waits for review.
        self.sign_in("ay-approver")
        self.open("/claims")
        self.assertEqual(d.find_element(By.CSS_SELECTOR, "#queue-stages strong").text, "待审批")
        # The approver shares out the claims waiting for review: the whole page ticked at once.
        self.open("/claims?stage=review&who=nobody")
        d.find_element(By.ID, "queue-check-all").click()
        ticked = [box for box in d.find_elements(By.CSS_SELECTOR, "input[name='claims[]']") if box.is_selected()]
        self.assertGreater(len(ticked), 0)
        Select(d.find_element(By.ID, "assign-reviewer")).select_by_visible_text("安阳审核 赵刚")
        self.click_and_wait(d.find_element(By.ID, "assign-submit"))
        self.assertIn(f"已分派 {len(ticked)} 件", d.find_element(By.ID, "queue-notice").text)
        self.shot("16b-claims-assigned")
        self.sign_out()
        # A reviewer sets the amount to pay from the claim's page; a typo comes back as typed.
        self.sign_in("ay-reviewer")
        self.open("/claims?stage=review&who=mine")
        self.assertEqual(len(d.find_elements(By.CSS_SELECTOR, "#queue tbody tr")), len(ticked))
        self.open("/claims?stage=review&sort=amount")
        d.find_element(By.CSS_SELECTOR, "#queue tbody a").click()
        d.find_element(By.CSS_SELECTOR, "#claim-adjust summary").click()
        d.find_element(By.ID, "adjust-amount").send_keys("一千")
        d.find_element(By.ID, "adjust-justification").send_keys("票据含非本次住院费用")
        self.click_and_wait(d.find_element(By.ID, "adjust-claim"))
        self.assertIn("金额应为元", d.find_element(By.ID, "claim-error").text)
        amount = d.find_element(By.ID, "adjust-amount")
        self.assertEqual(amount.get_attribute("value"), "一千")
        amount.clear()
        amount.send_keys("100元")
        self.click_and_wait(d.find_element(By.ID, "adjust-claim"))
        self.assertIn("¥100.00", d.find_element(By.ID, "claim-notice").text)
        self.assertIn("调整金额", d.page_source)
        self.shot("17-claim-adjusted")
        self.sign_out()
        # The audit log reads in Chinese: who did what to which kind of thing.
        self.sign_in("ay-auditor")
        self.open("/audit")
        log = d.find_element(By.ID, "audit-events").text
        self.assertIn("账号 ay-", log)
        self.assertNotIn("account:", log)
        self.assertNotIn("wrong password", log)
        self.shot("18-audit-log")
        self.sign_out()

    def test_scope_and_roles_hold_in_the_browser(self):
        d = self.driver
        self.sign_in("yc-window")
        self.open("/organisations")
        self.assertNotIn("安阳市总工会", d.page_source)
        self.shot("13-organisations-yichun")
        self.open("/workers?q=410502")  # ID numbers from Anyang's region
        self.assertIn("没有找到", d.page_source)
        self.open("/audit")
        self.assertIn("无权", d.page_source)
        self.sign_out()

    def test_phone_layout(self):
        self.driver.set_window_size(390, 844)
        self.sign_in("ancai")
        self.driver.save_screenshot(str(ARTIFACTS / "14-phone-unit-officer.png"))
        self.assertIn("本单位", self.driver.page_source)

    def test_main_pages_fit_a_laptop_and_a_phone(self):
        """Each role's daily pages at 1366 px (the navigation on one line) and at a phone's
        390 px (nothing wider than the screen: wide tables scroll inside themselves)."""
        d = self.driver
        pages = {
            "ay-window": ["/", "/claims", "/workers?q=4105", "/organisations", "/claims/new"],
            "ay-reviewer": ["/claims?stage=review"],
            "ay-approver": ["/claims?stage=review"],
            "ay-finance": ["/payments", "/funds", "/refunds", "/corrections", "/statistics"],
            "ay-leader": ["/", "/statistics", "/statistics/monthly"],
            "ay-auditor": ["/audit"],
        }
        for who, paths in pages.items():
            self.sign_in(who)
            for path in paths:
                for width, height in ((1366, 900), (390, 844)):
                    d.set_window_size(width, height)
                    self.open(path)
                    name = f"fit-{who}-{path.strip('/').replace('/', '-').split('?')[0] or 'home'}-{width}"
                    d.save_screenshot(str(ARTIFACTS / f"{name}.png"))
                    overflow = d.execute_script(
                        "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
                    self.assertLessEqual(overflow, 1, f"{path} as {who} is {overflow}px wider than {width}px")
                    if width == 1366:
                        tops = d.execute_script(
                            "return Array.from(document.querySelectorAll('.site-nav a'))"
                            ".map(a => a.getBoundingClientRect().top)")
                        self.assertLessEqual(len(set(round(top) for top in tops)), 1,
                                             f"the navigation wraps on {path} as {who}")
            d.set_window_size(1280, 1000)
            self.sign_out()


    def test_the_window_imports_a_roster_enrolls_and_takes_the_payment(self):
        d = self.driver
        self.sign_in("ay-window")
        self.open("/organisations")
        d.find_element(By.LINK_TEXT, "安阳市总工会").click()
        search = d.find_element(By.ID, "unit-search")  # 650 units: find it by name
        search.send_keys("公交")
        search.submit()
        d.find_element(By.LINK_TEXT, "安阳公交集团").click()
        unit_url = d.current_url
        d.find_element(By.ID, "import-roster").click()
        roster = pathlib.Path(tempfile.mkdtemp()) / "roster.csv"
        roster.write_text("姓名,身份证号,手机号\n孙浩," + id_number("410502", "19880214", 611) + ",13912340611\n"
                          + "孙雪," + id_number("410502", "19900305", 622) + ",13912340622\n", encoding="utf-8")
        d.find_element(By.ID, "roster-file").send_keys(str(roster))
        d.find_element(By.ID, "roster-preview").click()
        WebDriverWait(d, 20).until(lambda driver: driver.find_elements(By.ID, "roster-figures"))
        self.shot("15-roster-preview")
        commit = d.find_element(By.ID, "roster-commit")
        commit.click()
        WebDriverWait(d, 20).until(gone(commit))
        self.assertIn("花名册已导入", d.find_element(By.ID, "unit-notice").text)

        d.find_element(By.ID, "enroll-unit").click()
        # The unit's other workers are enrolled already: only the new two, this time, named by
        # ID number one a line as pasted from a spreadsheet (the browser sends CRLF between
        # lines; 1,461 workers are no list of checkboxes).
        self.assertFalse(d.find_elements(By.NAME, "workers[]"))
        d.find_element(By.ID, "everyone").click()
        d.find_element(By.ID, "idNumbers").send_keys(
            id_number("410502", "19880214", 611) + Keys.ENTER + id_number("410502", "19900305", 622))
        Select(d.find_element(By.ID, "product")).select_by_value("anyang|anyang-hospital")
        # Next year's cover, requested today: the request date is the server's.
        d.execute_script("arguments[0].value = arguments[1]", d.find_element(By.ID, "periodStart"), "2027-01-01")
        self.assertFalse(d.find_elements(By.ID, "requestDate"))
        Select(d.find_element(By.ID, "employerKind")).select_by_value("percent")
        value = d.find_element(By.ID, "employerValue")
        value.clear()
        value.send_keys("50")
        Select(d.find_element(By.ID, "subsidyPayer")).select_by_value("union_city")
        d.find_element(By.ID, "subsidyPerPerson").send_keys("30")
        self.shot("16-enroll-form")
        enroll = d.find_element(By.ID, "enroll")
        enroll.click()
        WebDriverWait(d, 20).until(gone(enroll))
        self.assertIn("已办理参保 2 人", d.find_element(By.ID, "unit-notice").text)
        for _ in range(3):  # employer, worker, city union
            form = d.find_element(By.CSS_SELECTOR, "form.payment-form")
            form.find_element(By.CSS_SELECTOR, "input[name=reference]").send_keys("ICBC-BROWSER")
            form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            WebDriverWait(d, 10).until(gone(form))
            self.assertIn("已登记缴费", d.find_element(By.ID, "unit-notice").text)
        self.assertIn("2 人保障生效", d.find_element(By.ID, "unit-notice").text)
        self.shot("17-unit-paid")
        self.assertEqual(d.current_url.split("?")[0], unit_url)
        # The bill's two certificates print together, each on its own sheet.
        links = d.find_elements(By.CSS_SELECTOR, "a[id^='print-JF-ANYANG-2027-']")
        self.click_and_wait(next(link for link in links if "（2 张）" in link.text))
        self.assertEqual(len(d.find_elements(By.CSS_SELECTOR, "#certificates article.certificate")), 2)
        self.assertTrue(d.find_element(By.ID, "print-certificates").is_displayed())
        self.shot("17a-certificates-print")
        d.get(unit_url)

        # 孙浩 was enrolled in error after all: the window asks for the void from his
        # certificate, finance approves it, and the three payers' refunds are transferred.
        self.click_and_wait(d.find_element(By.CSS_SELECTOR, "a[href^='/certificates/ANYANG-2027-']"))
        certificate_url = d.current_url
        Select(d.find_element(By.ID, "withdrawal-kind")).select_by_value("enrollment_void")
        d.find_element(By.ID, "withdrawal-reason").send_keys("人员录错")
        self.click_and_wait(d.find_element(By.ID, "withdrawal-submit"))
        self.assertIn("待财务复核", d.find_element(By.ID, "certificate-notice").text)
        self.sign_out()
        self.sign_in("ay-finance")
        self.open("/corrections?status=requested")
        self.click_and_wait(d.find_element(By.CSS_SELECTOR, "button[id^='approve-ANYANG-2027-']"))
        self.open("/refunds?status=due")
        self.shot("17b-refunds-due")
        for _ in range(3):  # employer, worker, city union
            form = d.find_element(By.CSS_SELECTOR, "#refunds form.inline-form")
            form.find_element(By.NAME, "reference").send_keys("ICBC-REFUND")
            self.click_and_wait(form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
            self.assertIn("已登记退款", d.find_element(By.ID, "refunds-notice").text)
        self.assertFalse(d.find_elements(By.CSS_SELECTOR, "#refunds form.inline-form"))
        d.get(certificate_url)
        self.assertIn("本保障书已作废", d.find_element(By.ID, "certificate-void").text)
        self.shot("17c-certificate-void")

    def test_the_window_registers_a_gig_worker_who_enrolls_on_her_own(self):
        d = self.driver
        self.sign_in("yc-window")
        self.open("/workers")
        d.find_element(By.ID, "new-individual").click()
        number = id_number("230702", "19930415", 482)
        for field, value in (("name", "赵晓雪"), ("idNumber", number), ("phone", "0458-3612345"),
                             ("bankName", "中国建设银行"), ("bankAccount", "6217000099998888")):
            d.find_element(By.ID, field).send_keys(value)
        register = d.find_element(By.ID, "register")
        register.click()
        WebDriverWait(d, 20).until(gone(register))
        # A landline cannot receive the portal's codes: refused next to the field, the rest kept.
        self.assertIn("应为11位手机号", d.find_element(By.ID, "form-errors").text)
        self.assertEqual(d.find_element(By.ID, "name").get_attribute("value"), "赵晓雪")
        phone = d.find_element(By.ID, "phone")
        phone.clear()
        phone.send_keys("13945670482")
        self.shot("18-individual-registration")
        register = d.find_element(By.ID, "register")
        register.click()
        WebDriverWait(d, 20).until(gone(register))
        self.assertIn("已登记 赵晓雪", d.find_element(By.ID, "worker-notice").text)
        d.find_element(By.ID, "enroll-individual").click()
        Select(d.find_element(By.ID, "product")).select_by_value("hlj-yichun|yc-female")
        d.execute_script("arguments[0].value = arguments[1]", d.find_element(By.ID, "periodStart"), "2027-01-01")
        self.shot("19-individual-enrollment")
        enroll = d.find_element(By.ID, "enroll-individual")
        enroll.click()
        WebDriverWait(d, 20).until(gone(enroll))
        self.assertIn("已办理个人参保", d.find_element(By.ID, "worker-notice").text)
        form = d.find_element(By.CSS_SELECTOR, "form.payment-form")
        form.find_element(By.CSS_SELECTOR, "input[name=reference]").send_keys("WX-BROWSER")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        WebDriverWait(d, 10).until(gone(form))
        self.assertIn("1 人保障生效", d.find_element(By.ID, "worker-notice").text)
        self.shot("20-individual-covered")

    def test_leaders_read_the_articles_figures_and_ask_what_if(self):
        d = self.driver
        self.sign_in("ay-leader")
        self.open("/statistics?from=2019-10-16&to=2020-11-30&scheme=anyang")
        for element, value in (("stat-units", "650"), ("stat-insured", "49,231"), ("stat-collected", "¥4,430,790.00"),
                               ("stat-subsidy", "¥1,476,930.00"), ("stat-paid-claims", "519")):
            self.assertEqual(self.figure(element), value, element)
        units = d.find_element(By.ID, "table-units").text
        self.assertIn("河南安彩高科股份有限公司 2019-12-15 2,283".replace(",", ""), units.replace(",", ""))
        self.assertTrue(d.find_elements(By.CSS_SELECTOR, "svg.chart rect"))
        self.shot("18-statistics-anyang")
        # Drill down into a district.
        d.find_element(By.CSS_SELECTOR, "#table-areas tbody a").click()
        self.assertIn("统计分析", d.title)
        self.shot("19-statistics-district")
        # The monthly report: another month from the page, printed from its button.
        self.open("/statistics/monthly?month=2020-06&scheme=anyang")
        self.assertEqual(d.find_element(By.ID, "month").get_attribute("value"), "2020-06")
        self.assertTrue(d.find_element(By.ID, "print-report").is_displayed())
        # The title once on screen (the heading); the printed title shows on paper only.
        self.assertFalse(d.find_element(By.CSS_SELECTOR, ".report-title").is_displayed())
        self.shot("18b-monthly-report")
        # "Can we raise the 30% to 40%?"
        self.open("/simulator?scheme=anyang&version=anyang-hospital%7C2019")
        rate = d.find_element(By.ID, "p.anyang-hospital-topup.band.0.rate")
        self.assertEqual(rate.get_attribute("value"), "30%")
        rate.clear()
        rate.send_keys("40%")
        for name, value in (("from", "2019-10-16"), ("to", "2020-11-30")):
            d.execute_script("arguments[0].value = arguments[1]", d.find_element(By.ID, name), value)
        self.click_and_wait(d.find_element(By.CSS_SELECTOR, "#simulator-form button[type=submit]"))
        # The 519 paid claims and the 4 refused by a rule; a higher rate admits no refusal.
        self.assertEqual(self.figure("whatif-claims"), "523")
        self.assertEqual(self.figure("whatif-refused"), "0 / 4")
        self.assertTrue(self.figure("whatif-difference").startswith("+"))
        self.shot("20-what-if")
        self.sign_out()
        self.sign_in("hlj-leader")
        self.open("/targets?asOf=2022-01-31")
        first = d.find_element(By.CSS_SELECTOR, "table.data-table tbody tr").text
        self.assertIn("伊春代办处", first)
        self.shot("21-targets")
        self.open("/statistics?from=2021-12-10&to=2022-12-09&scheme=hlj-yichun")
        self.shot("22-statistics-harbin")


    def test_finance_and_the_window_prepare_the_year_end(self):
        d = self.driver
        self.sign_in("ay-finance")
        self.open("/funds")
        headers = d.find_element(By.CSS_SELECTOR, "#fund-balances thead").text
        self.assertIn("结转下期", headers)
        Select(d.find_element(By.ID, "close-choice")).select_by_value("anyang|2019")
        d.find_element(By.ID, "close-reference").send_keys("2019年度结账")
        self.click_and_wait(d.find_element(By.ID, "preview-close"))
        # The preview writes nothing: what each product would carry, or why it cannot close yet.
        previews = d.find_elements(By.ID, "close-preview")
        errors = d.find_elements(By.CSS_SELECTOR, "ul.errors")
        self.assertTrue(previews or errors, d.page_source[:800])
        if previews:
            self.assertIn("2019", d.find_element(By.ID, "confirm-close").text)
        else:
            self.assertIn("尚未办结", errors[0].text)
        self.assertEqual(Select(d.find_element(By.ID, "close-choice")).first_selected_option.get_attribute("value"),
                         "anyang|2019")
        self.assertIn("未结账", d.find_element(By.ID, "fund-balances").text)
        self.shot("30-fund-close-preview")
        self.sign_out()

        self.sign_in("ay-window")
        self.open("/organisations")
        d.find_element(By.LINK_TEXT, "安阳市总工会").click()
        self.click_and_wait(d.find_element(By.ID, "year-end-renewal"))
        Select(d.find_element(By.ID, "product")).select_by_value("anyang|anyang-hospital")
        d.execute_script("arguments[0].value = arguments[1]", d.find_element(By.ID, "periodStart"), "2020-01-15")
        self.click_and_wait(d.find_element(By.ID, "preview-renewal"))
        lines = d.find_element(By.ID, "renewal-lines").text
        self.assertIn("（确认后编号）", lines)
        self.assertTrue(d.find_elements(By.ID, "commit-renewal"))
        self.shot("31-renewal-preview")

    def test_the_window_imports_the_bureaus_settlements_and_works_the_queue(self):
        d = self.driver
        sample = pathlib.Path(__file__).resolve().parents[2] / "docs" / "samples" / "settlements-bureau-a.csv"
        self.sign_in("ay-window")
        self.open("/settlements")
        Select(d.find_element(By.ID, "settlement-source")).select_by_value("anyang-bureau")
        d.find_element(By.ID, "settlement-file").send_keys(str(sample))
        self.click_and_wait(d.find_element(By.ID, "settlement-try"))
        # The bureau's GBK file, tried: every record's outcome, nothing written yet.
        self.assertIn("试导入", d.find_element(By.TAG_NAME, "main").text)
        outcomes = d.find_element(By.ID, "settlement-outcomes").text
        self.assertIn("非本会会员", outcomes)
        self.assertIn("41050020200603107919", outcomes)
        self.shot("32-settlements-tried")
        self.click_and_wait(d.find_element(By.ID, "settlement-commit"))
        self.assertIn("已导入", d.find_element(By.ID, "settlement-notice").text)
        self.assertTrue(d.find_elements(By.ID, "exception-tabs"))
        d.find_element(By.CSS_SELECTOR, "#settlement-queue tbody a").click()
        # The record with the bureau's own row behind it.
        original = d.find_element(By.ID, "settlement-original").text
        self.assertIn("身份证号码", original)
        self.assertIn("定点医疗机构名称", original)
        self.shot("33-settlement-record")
        d.find_element(By.ID, "note").send_keys("已联系医保局核实：非本会会员")
        self.click_and_wait(d.find_element(By.ID, "settlement-resolve"))
        self.assertIn("已移出待处理队列", d.find_element(By.ID, "settlement-notice").text)
        self.open("/")
        self.assertTrue(d.find_elements(By.ID, "figure-one-stop-held"))


def id_number(region, birth, sequence):
    """A valid GB 11643 resident ID number (check digit computed)."""
    body = f"{region}{birth}{sequence:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]
    return body + check


if __name__ == "__main__":
    unittest.main(verbosity=2)
