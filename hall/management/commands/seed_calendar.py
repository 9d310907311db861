"""Seed the working-day calendar from chinesecalendar; years without official data by rule (provisional)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from hall.workdays import calendar_seed


class Command(BaseCommand):
    help = "导入工作日历（国务院放假安排；未公布年度按规则推算并标记为暂定）。管理员修改过的日期不会被覆盖。"

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="*", type=int, help="年份，默认为去年、今年和明年")

    def handle(self, *args, years, **options):
        this_year = timezone.localdate().year
        years = years or [this_year - 1, this_year, this_year + 1]
        if any(year < 2004 or year > 2100 for year in years):
            raise CommandError("年份应在 2004 至 2100 之间。")
        for year, result in calendar_seed(years=years).items():
            status = "正式" if result["official"] else "暂定（按规则推算）"
            self.stdout.write(
                f"{year}年 {status}：新增 {result['created']} 天，更新 {result['updated']} 天，"
                f"保留管理员修改 {result['kept']} 天"
            )
