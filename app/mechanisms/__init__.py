"""The monitoring of municipal mechanisms of managing the quality of education (seed 002): each
municipality's yearly indicators by criterion, their change in percentage points, its conclusions
and the municipal order approving the report and the next year's roadmap; the region's table of
them, its workbook, and the import of the figures from a file."""
